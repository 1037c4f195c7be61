"""claimwire's spaCy components, registered as factories and assembled from
``data/claims_pipeline.cfg``:

- ``claimwire_paragraph_breaks``: a newline starts a new sentence;
- ``claimwire_cues``: ``PhraseMatcher``s over lemmas and forms of reporting cues, written to
  ``doc.spans["claimwire_cues"]`` with the cue's strength as label;
- spaCy's ``entity_ruler`` with the alias table (``ent_id_`` is the canonical form);
- ``claimwire_claims``: the attribution rules; ``predict()`` has no side effects,
  ``set_annotations()`` writes ``doc._.claims``.

The language of a component is the ``lang`` of the pipeline it is added to.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, SpanGroup

from claimwire.agents.core.errors import Failure, RejectedInput
from claimwire.agents.extract.claims import claims_in_doc
from claimwire.agents.extract.dates import find_dates
from claimwire.agents.extract.entities import alias_patterns
from claimwire.agents.extract.fallback import fallback_claims
from claimwire.agents.extract.lexicon import lexicon
from claimwire.agents.extract.sentence import CUES_KEY, Claim
from claimwire.agents.extract.timelimit import UNLIMITED, TimeLimit

CONFIG = Path(__file__).with_name("data") / "claims_pipeline.cfg"

if not Doc.has_extension("claims"):
    Doc.set_extension("claims", default=None)
if not Doc.has_extension("claims_error"):
    Doc.set_extension("claims_error", default=None)


@Language.factory("claimwire_paragraph_breaks")
def make_paragraph_breaks(nlp: Language, name: str) -> ParagraphBreaks:
    return ParagraphBreaks()


class ParagraphBreaks:
    def __call__(self, doc: Doc) -> Doc:
        # Only the whitespace tokens are looked at (a numpy mask, not a Python loop over
        # every token): this runs on every article.
        spaces = doc.to_array("IS_SPACE").nonzero()[0]
        for i in spaces:
            nxt = int(i) + 1
            if nxt < len(doc) and "\n" in doc[int(i)].text and not doc[nxt].is_space:
                doc[nxt].is_sent_start = True
        return doc


@Language.factory("claimwire_cues", default_config={"extra_cues": {}})
def make_cue_matcher(nlp: Language, name: str, extra_cues: dict[str, str]) -> CueMatcher:
    return CueMatcher(nlp, extra_cues)


class CueMatcher:
    """Reporting cues: a token whose lemma or form is in the language's cue lexicon, and
    "according to". Which of them is a cue *in context* (the noun "report", "laten" without
    "weten") is decided by the claim rules."""

    def __init__(self, nlp: Language, extra_cues: dict[str, str]) -> None:
        lex = lexicon(nlp.lang or "")
        self.strength = {**(lex.cues if lex else {}), **extra_cues}
        # Phrase matchers (hash lookups) on the lemma and on the lower-case form: the cue
        # lexicon is single words, and a token-pattern Matcher with IN-sets cost about
        # twice as much on every article. The strength is looked up per match.
        self.by_form = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.by_lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        forms, lemmas = [], []
        for word in sorted(self.strength):
            forms.append(Doc(nlp.vocab, words=[word]))
            lemma_doc = Doc(nlp.vocab, words=[word])
            lemma_doc[0].lemma_ = word
            lemmas.append(lemma_doc)
        self.by_form.add("CUE", forms)
        self.by_lemma.add("CUE", lemmas)

    def __call__(self, doc: Doc) -> Doc:
        seen: set[int] = set()
        spans = []
        matches = [*self.by_form(doc), *self.by_lemma(doc)]
        for _match_id, start, _end in sorted(matches, key=lambda m: m[1]):
            if start not in seen:
                seen.add(start)
                tok = doc[start]
                span = doc[start:start + 1]
                span.label_ = self.strength.get(tok.lemma_.lower(),
                                                self.strength.get(tok.lower_, "says"))
                spans.append(span)
        doc.spans[CUES_KEY] = SpanGroup(doc, name=CUES_KEY, spans=spans)
        return doc


@Language.factory("claimwire_claims")
def make_claim_extractor(nlp: Language, name: str) -> ClaimExtractor:
    return ClaimExtractor(nlp.lang or "xx")


class ClaimExtractor:
    """``pipe(..., time_limit=)`` (through ``nlp.pipe``'s ``component_cfg``) gives each doc's
    rules a deadline; a doc past it gets no claims and ``doc._.claims_error`` (timeout)."""

    def __init__(self, language: str) -> None:
        self.language = language

    def predict(self, docs: Iterable[Doc], time_limit: TimeLimit | None = None
                ) -> list[list[Claim] | RejectedInput]:
        return [self._claims(doc, time_limit) for doc in docs]

    def _claims(self, doc: Doc, time_limit: TimeLimit | None) -> list[Claim] | RejectedInput:
        try:
            return claims_in_doc(doc, self.language,
                                 time_limit.start() if time_limit else UNLIMITED)
        except RejectedInput as exc:  # past the deadline: this doc fails, not its batch
            return exc

    def set_annotations(self, docs: Iterable[Doc], claims: list[list[Claim] | RejectedInput]
                        ) -> None:
        for doc, found in zip(docs, claims, strict=True):
            if isinstance(found, RejectedInput):
                doc._.claims, doc._.claims_error = [], found
            else:
                doc._.claims = found

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32,
             time_limit: TimeLimit | None = None) -> Iterator[Doc]:
        for batch in spacy.util.minibatch(docs, size=batch_size):
            self.set_annotations(batch, self.predict(batch, time_limit))
            yield from batch


@lru_cache(maxsize=4)
def claims_pipeline(language: str) -> Language:
    """The configured pipeline for nl/en/de, loaded once per process."""
    config = spacy.util.load_config(CONFIG)
    config["nlp"]["lang"] = language
    nlp = spacy.blank(language, config=config)
    nlp.initialize()
    ruler = nlp.get_pipe("entity_ruler")
    ruler.add_patterns(alias_patterns())  # type: ignore[attr-defined]
    return nlp


def extract_claims(text: str, language: str, published: date | None = None) -> list[Claim]:
    """Find the claims in a text. Pure: no I/O, no clock. Weekdays are resolved against
    ``published``."""
    found = claims_for_batch([(text, language, published)])[0]
    if isinstance(found, Failure):  # only with a time limit, which this has not
        raise RejectedInput(found.reason, found.error)
    return found


def claims_for_batch(articles: list[tuple[str, str, date | None]], batch_size: int = 32,
                     time_limit: TimeLimit | None = None) -> list[list[Claim] | Failure]:
    """Claims of many (text, language, published) articles: one ``nlp.pipe`` per language;
    languages without rules get the quote-based fallback. With ``time_limit``, the rules of
    an article that run past it stop there, and that article's result is a ``timeout``
    Failure (the others are not affected). The spaCy components before the rules
    (tokenizer, lemmatizer, matchers) are linear in the text, which the extract stage caps
    (``Limits.text_bytes``), and not under the limit."""
    out: list[list[Claim] | Failure] = [[] for _ in articles]
    for language in dict.fromkeys(lang for _t, lang, _p in articles):
        idx = [i for i, (_t, lang, _p) in enumerate(articles) if lang == language]
        lex = lexicon(language)
        if lex is None:
            for i in idx:
                out[i] = fallback_claims(articles[i][0], language)
            continue
        docs = claims_pipeline(language).pipe(
            (articles[i][0] for i in idx), batch_size=batch_size,
            component_cfg={"claimwire_claims": {"time_limit": time_limit}})
        for i, doc in zip(idx, docs, strict=True):
            if doc._.claims_error is not None:
                out[i] = Failure.of(doc._.claims_error)
                continue
            claims: list[Claim] = doc._.claims
            for claim in claims:
                claim.dates = find_dates(claim.sentence, lex, articles[i][2])
            out[i] = claims
    return out
