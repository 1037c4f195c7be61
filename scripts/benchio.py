"""What every benchmark script does with its figures: write them to a file and show them."""

from __future__ import annotations

import json
from pathlib import Path


def write_result(path: Path, result: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
