"""Stop words per language, as spaCy's language data has them. The story stage's terms and
the extract stage's fallback speaker both leave them out."""

from __future__ import annotations

from functools import cache


@cache
def stop_words(language: str) -> frozenset[str]:
    """spaCy's stop list for the language, read off its language class: building a blank
    pipeline for it compiles the tokenizer's rules (1.25 s per language). Cached for every
    language seen (a few dozen at most): a bounded cache smaller than the languages of the
    stream would rebuild a list on almost every article."""
    from spacy.util import get_lang_class

    try:
        return frozenset(get_lang_class(language).Defaults.stop_words)
    except Exception:  # unknown language code: no stop list
        return frozenset()
