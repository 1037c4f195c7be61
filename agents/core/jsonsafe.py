"""A total JSON decoder: bytes or text in, a plain JSON value or an ``UnsafeJson`` out, never
anything else. The one decoder of every reader of a topic: the extract stage's raw decoder and
the CLI's topic readers (``claimwire replay``, ``claimwire tail``).

What it takes care of, so that no caller has to:
- invalid UTF-8 (``undecodable_bytes``); a leading byte-order mark is skipped;
- nesting deeper than ``max_depth`` (``too_deep``), without a RecursionError however deep;
- ``NaN``/``Infinity`` and integers longer than Python converts (``malformed_json``);
- lone surrogates (``"\\ud800"``) and NUL or other C0/C1 control characters in strings (keys
  too): replaced by U+FFFD, or dropped for controls, so the value encodes to UTF-8 again.
Pure: no Kafka, no faust.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64

_BOM = "\ufeff"
# Lone surrogates, and control characters other than tab, newline and carriage return.
_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class UnsafeJson(ValueError):
    """Input that is not a JSON value claimwire accepts. ``reason`` is a DLQ reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def clean_text(value: str) -> str:
    """The string with lone surrogates replaced (U+FFFD) and control characters dropped."""
    if _SURROGATES.search(value):
        value = _SURROGATES.sub("\ufffd", value)
    if _CONTROLS.search(value):
        value = _CONTROLS.sub("", value)
    return value


def _reject_constant(name: str) -> Any:
    raise UnsafeJson("malformed_json", f"{name} is not JSON")


def _depth_exceeds(text: str, max_depth: int) -> bool:
    """True when brackets nest deeper than ``max_depth`` (strings skipped). Cheap when the
    text has few brackets, which is the common case: counted first, scanned only if needed."""
    if text.count("[") + text.count("{") <= max_depth:
        return False
    depth = 0
    # Tokens: a whole string literal (skipped), or one bracket.
    for token in re.finditer(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', text):
        ch = token.group()
        if ch in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def _clean(value: Any) -> Any:
    """``value`` with every string (and key) cleaned; depth is already bounded."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _clean(v) for k, v in value.items()}
    return value


def decode_text(data: bytes | bytearray | memoryview | str) -> str:
    """UTF-8 bytes to text, a leading BOM skipped. Raises UnsafeJson(undecodable_bytes)."""
    if isinstance(data, str):
        text = data
    else:
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnsafeJson("undecodable_bytes", f"not UTF-8: {exc}") from None
    return text.removeprefix(_BOM)


def loads(data: bytes | bytearray | memoryview | str | None, *, max_depth: int = MAX_DEPTH
          ) -> Any:
    """Decode one JSON value. Raises UnsafeJson with reason ``undecodable_bytes``,
    ``malformed_json`` or ``too_deep``; never another exception."""
    if data is None:
        raise UnsafeJson("malformed_json", "no value (a tombstone)")
    text = decode_text(data)
    if _depth_exceeds(text, max_depth):
        raise UnsafeJson("too_deep", f"nested deeper than {max_depth} levels")
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except UnsafeJson:
        raise
    except RecursionError:  # unreachable after the depth scan; kept so that nothing escapes
        raise UnsafeJson("too_deep", f"nested deeper than {max_depth} levels") from None
    except (ValueError, TypeError) as exc:  # JSONDecodeError, int digit limit
        raise UnsafeJson("malformed_json", str(exc)[:500]) from None
    return _clean(value)


def loads_or_marker(data: bytes | bytearray | memoryview | str | None) -> Any:
    """For display and dumps: the decoded value, or ``{"_undecodable": reason}``."""
    try:
        return loads(data)
    except UnsafeJson as exc:
        return {"_undecodable": exc.reason}
