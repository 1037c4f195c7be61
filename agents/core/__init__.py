"""Pure helpers every stage shares: ids, time, error reasons, the event-time reorder buffer.

Imports neither spaCy nor faust nor kafka, so any stage's logic (and any tool) can use them
without loading a language pipeline or a broker client."""
