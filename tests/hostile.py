"""Hypothesis strategies for hostile ``articles.raw`` records, shared by the CI tests
(``tests/test_hostile.py``, seeded) and ``make fuzz`` (``scripts/fuzz.py``, random, large).

Each example is a ``Hostile``: its kind and a function of a URL that renders the record's
bytes. The URL (``https://fuzz.test/<n>``) sits in the first bytes of every record, even the
undecodable ones, so that each output and dead letter can be traced back to its input: that
is how the tests prove that nothing is lost (DESIGN.md invariant 1)."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

URL_PREFIX = "https://fuzz.test/"
SENTENCES = [
    "De minister zegt dat het goed gaat met de economie van het land.",
    "Volgens de politie zijn bij het ongeluk {n} mensen gewond geraakt.",
    "The ministry said that {n} troops had returned to their bases on Tuesday.",
    "Der Sprecher sagte, dass {n} Menschen evakuiert worden seien.",
    "Het kabinet meldt dat er {n} woningen worden gebouwd, aldus Interfax.",
]
# Unicode spaces and digits that number parsing must survive
SPACES = ["\u202f", "\u2009", "\u00a0", "\u2007", " ", ".", ","]
DIGIT_SETS = ["0123456789", "٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９", "⁰¹²³⁴⁵⁶⁷⁸⁹", "۰۱۲۳۴۵۶۷۸۹"]
ODD_NUMBERS = ["1e308", "1e-308", "-0", "NaN", "∞", "1" * 400, "1.2.3,4,5", "12\u202f345,67"]
ODD_LANGUAGES = ["", "NL", "nl-BE", "nl_NL", "xx", "zz-ZZ-zzzz", "../../etc/passwd", "x" * 5000,
                 "日本語", "\u0000", "en\ud800", "und", "123"]
ABSURD_DATES = ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1e308", "-5",
                "2022-02-30T00:00:00Z", "2022-02-15T09:30:00+25:00", "", "yesterday",
                "1970-01-01T00:00:00Z", "2999-01-01", 1e308, -1, 10**30, None, True]
CONTROL_CHARS = ["\x00", "\x01", "\x08", "\x1b", "\x7f", "\x85", "\ufeff", "\u200b", "\u202e"]


@dataclass(frozen=True)
class Hostile:
    kind: str
    render: Callable[[str], bytes]


def url_of(n: int) -> str:
    return f"{URL_PREFIX}{n}"


def _json(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _record(url: str, **fields: Any) -> dict[str, Any]:
    return {"url": url, "outlet": "fuzz.test", **fields}


def _number(draw: st.DrawFn) -> str:
    digits = draw(st.sampled_from(DIGIT_SETS))
    value = str(draw(st.integers(0, 10**9)))
    if draw(st.booleans()) and len(value) > 3:
        sep = draw(st.sampled_from(SPACES))
        head, tail = value[: len(value) % 3 or 3], value[len(value) % 3 or 3:]
        value = head + "".join(sep + tail[i:i + 3] for i in range(0, len(tail), 3))
    text = value.translate(str.maketrans("0123456789", digits))
    return draw(st.sampled_from([text, text, draw(st.sampled_from(ODD_NUMBERS))]))


@st.composite
def _text(draw: st.DrawFn, min_sentences: int = 1) -> str:
    parts = []
    for _ in range(draw(st.integers(min_sentences, 6))):
        sentence = draw(st.sampled_from(SENTENCES)).format(n=_number(draw))
        if draw(st.integers(0, 4)) == 0:
            at = draw(st.integers(0, len(sentence)))
            sentence = sentence[:at] + draw(st.sampled_from(CONTROL_CHARS)) + sentence[at:]
        parts.append(sentence)
    if draw(st.integers(0, 5)) == 0:
        parts.append(draw(st.text(max_size=200)))
    return " ".join(parts)


@st.composite
def valid_text(draw: st.DrawFn) -> Hostile:
    text = draw(_text())
    extra: dict[str, Any] = {}
    if draw(st.booleans()):
        extra["language"] = draw(st.sampled_from(ODD_LANGUAGES))
    if draw(st.booleans()):
        extra["published_at"] = draw(st.sampled_from(ABSURD_DATES[:9] + ["2022-02-15T09:30:00Z"]))
    if draw(st.booleans()):
        extra["title"] = draw(st.text(max_size=80))
    return Hostile("text", lambda url: _json(_record(url, text=text, **extra)))


@st.composite
def html_page(draw: st.DrawFn) -> Hostile:
    body = "".join(f"<p>{s}</p>" for s in draw(_text(min_sentences=2)).split(". "))
    charset = draw(st.sampled_from(["utf-8", "windows-1252", "iso-8859-1", "bogus-enc", ""]))
    head = f'<meta charset="{charset}">' if charset else ""
    wrap = draw(st.sampled_from(["article", "div", "main"]))
    html = f"<html><head>{head}<title>t</title></head><body><{wrap}>{body}</{wrap}></body></html>"
    return Hostile("html", lambda url: _json(_record(url, html=html)))


@st.composite
def pathological_html(draw: st.DrawFn, large: bool = False) -> Hostile:
    depth = draw(st.integers(100, 60_000 if large else 5_000))
    tag = draw(st.sampled_from(["div", "span", "table", "b", "p"]))
    attr = "x" * draw(st.integers(0, 1_000_000 if large else 20_000))
    text = draw(_text(min_sentences=2))
    html = f"<{tag} a='{attr}'>" + f"<{tag}>" * depth + text + f"</{tag}>" * draw(
        st.integers(0, depth))
    return Hostile("pathological_html", lambda url: _json(_record(url, html=html)))


@st.composite
def deep_json(draw: st.DrawFn) -> Hostile:
    depth = draw(st.integers(65, 200_000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    closed = draw(st.booleans())
    return Hostile("deep_json", lambda url: (
        f'{{"url": "{url}", "outlet": "fuzz.test", "x": '.encode()
        + (opener * depth).encode() + (closer * depth if closed else "").encode() + b"}"))


@st.composite
def bad_bytes(draw: st.DrawFn) -> Hostile:
    junk = draw(st.binary(min_size=1, max_size=300))
    bad = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                                b"\x80", b"\xc0\xaf"]))
    return Hostile("invalid_utf8", lambda url: f'{{"url": "{url}", "text": "'.encode()
                   + junk + bad + b'"}')


@st.composite
def surrogates_and_controls(draw: st.DrawFn) -> Hostile:
    text = draw(_text(min_sentences=2))
    escapes = draw(st.sampled_from(["\\ud800", "\\udfff", "\\ud83d", "\\u0000", "\\u001b",
                                    "\\ud83d\\ude00"]))
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return Hostile("escapes", lambda url: bom + (
        f'{{"url": "{url}", "outlet": "fuzz.test", "title": "{escapes}", '
        f'"text": {json.dumps(text)[:-1]}{escapes}"}}').encode())


@st.composite
def mislabelled(draw: st.DrawFn) -> Hostile:
    text = draw(_text(min_sentences=2)) + " Café, naïve, €5, “quotes” — ok."
    swap = draw(st.booleans())
    # mojibake as a producer that read windows-1252 bytes as UTF-8 (or the reverse) sends it
    wrong = (text.encode("utf-8").decode("cp1252", "replace") if swap
             else text.encode("cp1252", "replace").decode("utf-8", "replace"))
    charset = "utf-8" if swap else "windows-1252"
    html = f'<html><head><meta charset="{charset}"></head><body><article><p>{wrong}</p>' \
           "</article></body></html>"
    return Hostile("mislabelled", lambda url: _json(_record(url, html=html)))


@st.composite
def wrong_shapes(draw: st.DrawFn) -> Hostile:
    choice = draw(st.integers(0, 7))
    value: Any = draw(st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=30),
                                st.none(), st.lists(st.integers(), max_size=3)))
    date = draw(st.sampled_from(ABSURD_DATES))

    def render(url: str) -> bytes:
        if choice == 0:
            return f'["{url}", 1, 2]'.encode()
        if choice == 1:
            return _json({"url": url, "outlet": value, "text": "Een tekst van genoeg lengte."})
        if choice == 2:
            return _json({"url": url, "outlet": "fuzz.test", "text": value})
        if choice == 3:
            return _json(_record(url, text="De minister zegt dat het goed gaat.",
                                 published_at=date))
        if choice == 4:
            return f'{{"url": "{url}", "outlet": "fuzz.test", "n": {"9" * 5000}}}'.encode()
        if choice == 5:
            return f'{{"url": "{url}", "outlet": "fuzz.test", "text": NaN}}'.encode()
        if choice == 6:
            return _json({"url": url.replace("https", "javascript"), "outlet": "x",
                          "text": "x" * 30, "note": url})
        return f'{{"url": "{url}", "outlet": "fuzz.test", "html": '.encode()

    return Hostile("wrong_shape", render)


def hostile_records(*, large: bool = False) -> st.SearchStrategy[Hostile]:
    """Any hostile or valid record; ``large`` adds megabyte pages (make fuzz)."""
    kinds: list[st.SearchStrategy[Hostile]] = [
        valid_text(), html_page(), pathological_html(large=large), deep_json(), bad_bytes(),
        surrogates_and_controls(), mislabelled(), wrong_shapes()]
    if large:
        kinds.append(big_text())
    return st.one_of(kinds)


@st.composite
def big_text(draw: st.DrawFn) -> Hostile:
    """About 1 MB of text (the case that once crashed the stage), or over the text limit."""
    repeat = draw(st.sampled_from([20_000, 27_000, 40_000]))
    text = "De minister zegt dat het goed gaat. " * repeat
    return Hostile("big_text", lambda url: _json(_record(url, text=text)))


def slow_page(html: str, url: str) -> tuple[str, str | None, str | None]:
    """A page extractor for the pool tests: pages that ask for it overrun any deadline."""
    if "SLOW" in html:
        time.sleep(600)
    return html, None, None


def input_index(record: dict[str, Any]) -> int | None:
    """The input an output or a dead letter comes from (its ``fuzz.test/<n>`` URL)."""
    text = record.get("url") or ""
    if "payload" in record:
        payload = record["payload"]
        if record.get("payload_encoding") == "base64":
            payload = base64.b64decode(payload).decode("utf-8", "replace")
        text = payload
    match = re.search(r"fuzz\.test/(\d+)", text)
    return int(match.group(1)) if match else None
