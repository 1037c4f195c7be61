import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def claimwire_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "streams", *args]


def clean_env() -> dict[str, str]:
    """The environment without a configured broker: commands start the embedded one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMWIRE_")}
    env["CLAIMWIRE_SEED_DIR"] = str(SHARED / "data/seed")
    return env
