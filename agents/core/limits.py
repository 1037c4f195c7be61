"""Record sizes, derived from one setting (``[kafka] max_message_bytes``) so that they agree
end to end: what a topic holds (``max.message.bytes``), what a producer sends
(``max_request_size``), what the extract stage accepts and what it may write.

The extract stage's output carries the article text once and each claim's sentence (a part of
that text) with its fields, so a text of ``text_bytes`` gives a record of at most about three
times that; ``text_bytes`` is a quarter of a record (at most spaCy's 1,000,000), leaving the
rest for claims and metadata.
An output that is still too large is checked before it is sent (``output_too_large``). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

# Kafka's per-record and per-batch framing, with room to spare: key + value must stay below
# max.message.bytes minus this.
RECORD_OVERHEAD_BYTES = 4096
SETTING = "CLAIMWIRE_KAFKA_MAX_MESSAGE_BYTES"
# spaCy refuses longer texts (its ``max_length``, in characters; a UTF-8 byte count bounds it).
NLP_MAX_TEXT = 1_000_000


@dataclass(frozen=True)
class Limits:
    """Every size limit of the pipeline, from the broker's message size."""

    message_bytes: int  # topics' max.message.bytes and producers' max_request_size
    max_html_bytes: int  # [extract] max_html_bytes: a further cap on raw records

    @property
    def record_bytes(self) -> int:
        """Key plus value of any record a stage sends."""
        return self.message_bytes - RECORD_OVERHEAD_BYTES

    @property
    def raw_record_bytes(self) -> int:
        """The largest ``articles.raw`` record the extract stage accepts."""
        return min(self.max_html_bytes, self.record_bytes)

    @property
    def text_bytes(self) -> int:
        """The longest article text (UTF-8) the extract stage writes: a quarter of a record,
        and no more than the claim pipeline takes."""
        return min(self.record_bytes // 4, NLP_MAX_TEXT)

    def output_fits(self, key: bytes | None, value: bytes) -> bool:
        return len(key or b"") + len(value) <= self.record_bytes
