"""What one sentence yields: the Claim found in it and the sentence-level features every
rule shares (hedging, quotes, content words, entities, character offsets)."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import asdict, dataclass, field
from typing import Any

from spacy.tokens import Doc, Span, Token

from claimwire.agents.core.quotes import QUOTE_MARKS as _QUOTE_MARKS
from claimwire.agents.core.quotes import quote_opens
from claimwire.agents.extract.entities import ents_within
from claimwire.agents.extract.lexicon import Lexicon

CUES_KEY = "claimwire_cues"  # doc.spans key of the cue matcher's spans (pipeline.py)


@dataclass
class Claim:
    """One attributed (or outlet-asserted) claim in a sentence."""

    sentence: str
    sentence_index: int
    speaker: dict[str, Any]
    cue: dict[str, str] | None
    via: dict[str, str] | None
    hedged: bool
    quote: bool
    numbers: list[dict[str, Any]]
    dates: list[dict[str, str]]
    entities: list[dict[str, str]]
    content: str
    method: str = "rules"
    # Character offsets in the input text (sentence, speaker, cue, via), for evaluation
    # against span-annotated corpora. Not part of the public claim record.
    spans: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        del out["spans"]
        return out


def is_hedged(text: str, lex: Lexicon) -> bool:
    low = f" {text.lower()} "
    return any(f" {h} " in low for h in lex.hedges)


def quote_left_open(sentence: str) -> bool:
    """The quote goes on in the next sentence: the last quotation mark opens one (the splitter
    leaves "… sagte X. „" together; in `Schiphol", aldus KLM.` the quote closes)."""
    text = sentence.rstrip()
    marks = [m.start() for m in _QUOTE_MARKS.finditer(text)]
    return bool(marks) and quote_opens(text, marks[-1])


class QuoteMarks:
    """The quotation marks of one sentence, found once: a cue in a sentence of thousands of
    tokens must not rescan the sentence's text (that made such a text quadratic)."""

    def __init__(self, sent: Span) -> None:
        self.sent = sent
        self.text = sent.text
        self.marks = [m.start() for m in _QUOTE_MARKS.finditer(self.text)]

    def inside(self, tok: Token) -> bool:
        """The token stands inside a quotation opened and closed within the sentence: a cue
        word there is quoted speech ("„... gemeint gewesen“, sagte Steinmeier"), not a cue."""
        offset = tok.idx - self.sent.start_char
        i = bisect_left(self.marks, offset)  # marks[:i] stand before the token
        if i == 0 or not any(m > offset for m in self.marks[i:]):
            return False
        return quote_opens(self.text, self.marks[i - 1])


def content_form(sent: Span, exclude: set[int]) -> str:
    """Lemmas of content words, without the attribution frame."""
    words = []
    for tok in sent:
        if tok.i in exclude or tok.is_stop or tok.is_punct or tok.is_space:
            continue
        if tok.like_num:
            words.append(tok.text.replace(".", "").replace(",", ""))
            continue
        lemma = tok.lemma_.lower() or tok.lower_
        if len(lemma) > 1:
            words.append(lemma)
    return " ".join(words)


def sentence_entities(sent: Span) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    # known entities (entity ruler); not ``sent.ents``, which walks the whole document
    for ent in ents_within(sent.doc, sent.start, sent.end):
        seen.setdefault(ent.ent_id_ or ent.text, {"text": ent.text.lower(),
                                                  "canonical": ent.ent_id_ or ent.text,
                                                  "type": ent.label_.lower()})
    # Capitalised words that are not sentence-initial: a cheap proper-noun signal.
    for tok in sent:
        for key in capitalised_words(tok, initial=tok.i == sent.start):
            if not any(key.lower() in e["canonical"].lower() for e in seen.values()):
                seen.setdefault(key, {"text": key, "canonical": key, "type": "name"})
    return list(seen.values())


def capitalised_words(tok: Token, initial: bool) -> list[str]:
    """The capitalised words of a token, but a sentence's first (capitalised by position).
    The Dutch, German and French tokenizers keep a hyphenated compound whole, where the English
    one splits it: "kabinet-Rutte", "Nord-Stream-Pipelines" and "VVD-leider" give Rutte,
    Nord, Stream, Pipelines and VVD, as "the Rutte cabinet" and "Nord Stream" do in English.
    A compound's later parts count even in a sentence's first token ("Kabinet-Rutte")."""
    if tok.is_alpha:
        return [tok.text] if tok.text[:1].isupper() and not initial and not tok.is_stop else []
    if "-" not in tok.text:
        return []
    vocab = tok.vocab
    return [part for k, part in enumerate(tok.text.split("-"))
            if part[:1].isupper() and part.isalpha() and len(part) > 1
            and not (initial and k == 0) and not vocab[part].is_stop]


def sentences(doc: Doc) -> list[Span]:
    """The sentences of a doc that hold more than whitespace."""
    return [sent for sent in doc.sents if any(not t.is_space for t in sent)]


def char_span(tokens: list[Token] | Span) -> tuple[int, int]:
    kept = [t for t in tokens if not t.is_space]
    return kept[0].idx, kept[-1].idx + len(kept[-1].text)
