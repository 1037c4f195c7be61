"""Bytes of a web page to text, whatever the page says its encoding is. Pure.

Pages lie about their encoding both ways: a windows-1252 page declared as UTF-8, a UTF-8 page
declared as windows-1252 or ISO-8859-1. Valid UTF-8 with non-ASCII bytes is almost never
anything else, so it wins over any declaration; then the declared charset, if Python knows it
and it decodes; then windows-1252, which decodes every byte but five (those become U+FFFD).
A byte-order mark decides first. Control characters and NULs are dropped (``clean_text``).
"""

from __future__ import annotations

import codecs
import contextlib
import re

from claimwire.agents.core.jsonsafe import clean_text

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"),
         (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""",
                       re.IGNORECASE)


def declared_charset(raw: bytes) -> str | None:
    """The charset a page's <meta> declares (in its first 4 KiB), if Python knows it."""
    match = _DECLARED.search(raw[:4096])
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def decode_page(raw: bytes) -> str:
    """The text of a page's bytes; never raises."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return clean_text(raw[len(bom):].decode(encoding, errors="replace"))
    # Each attempt that fails falls through to the next, more forgiving one.
    with contextlib.suppress(UnicodeDecodeError):  # not UTF-8: try the declared charset
        return clean_text(raw.decode("utf-8"))
    declared = declared_charset(raw)
    if declared and declared != "utf-8":
        # mislabelled or unknown charset: fall back to windows-1252, which decodes any byte
        with contextlib.suppress(UnicodeDecodeError, LookupError):
            return clean_text(raw.decode(declared))
    return clean_text(raw.decode("cp1252", errors="replace"))
