"""Claim clusters: the reports, in any article, outlet or language, of one assertion by one
speaker. Pure logic, bounded state, indexed retrieval.

Story membership is a hint, not a gate: a claim is compared with the live clusters of its
speaker (and, for facts an outlet states itself, with the clusters that share a number or a
rare content word), whichever story they are in, so that a split story does not hide a
corroboration. Two claims are the same assertion when

- their speakers match (``speakers.speaker_keys``: the canonical entity, and a person's surname, so
  that "Wopke Hoekstra" and "Hoekstra" meet; "(outlet)" for unattributed facts),
- their numbers agree (130,000 and 100,000 troops are two claims), and
- their content agrees: content-lemma overlap (Jaccard) for one language, or the cosine of
  the two sentences' multilingual embeddings, which is what compares a Dutch report with an
  English one. Inside one story a weaker overlap suffices than across stories.

The thresholds were chosen on the dev corroboration scenarios and ECB+ dev (docs/quality.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from claimwire.agents.core.expiry import ExpiryQueue
from claimwire.agents.core.ids import stable_id
from claimwire.agents.story.encoder import Vector
from claimwire.agents.story.speakers import OUTLET, fold, speaker_keys

# Content overlap (Jaccard of content lemmas) at or above which a claim joins a cluster of
# the same speaker in the same story; across stories the overlap must be larger.
CLAIM_THRESHOLD = 0.3
CROSS_STORY_THRESHOLD = 0.35
# Facts an outlet states share one speaker, "(outlet)": their content must agree more, and
# more still across stories (two farmers' blockades on one morning are two facts).
OUTLET_FACT_THRESHOLD = 0.3
OUTLET_CROSS_STORY_THRESHOLD = 0.45
# Cosine of the sentence embeddings at or above which two claims of one speaker say the same
# (translations of one sentence score ~0.7, other statements of one speaker ~0.3-0.5).
# Measured on the dev scenarios: one claim in two languages scores 0.49-0.70, two statements of
# one speaker ~0.2-0.45.
EMBEDDING_THRESHOLD = 0.5
# Outlet facts share no speaker: they need a shared number and this cosine inside one story,
# or a high one. Across stories a shared number says little: on the ~1,100 real pages
# (scripts/extraction_corpus.py) recipe steps ("10 Minuten" / "10 minutes"), "90 Prozent" and
# "90 percent" of other things met at cosines of 0.51-0.64 across languages, where the dev
# scenarios' true pairs ("Ze werd 96 jaar" / "She was 96 years old") lie inside one story.
# A shared number with a shared name (``claim_entities``) needs EMBEDDING_THRESHOLD across
# stories: the recipes named nothing in common.
OUTLET_EMBEDDING_THRESHOLD = 0.45
OUTLET_EMBEDDING_NO_NUMBERS = 0.75
# A named speaker's claim in another language that shares a distinctive number with the
# cluster inside one story (USGS's magnitude 7.8 in a long Reuters sentence and in NOS's
# short one: cosine 0.32) needs only this cosine. Distinctive: not a whole number under
# DISTINCTIVE_NUMBER ("twee dagen" and "deux morts" share a 2).
NAMED_NUMBER_EMBEDDING_THRESHOLD = 0.3
DISTINCTIVE_NUMBER = 20
# A cluster that holds a report in the claim's own language is judged by it: when neither
# the lemmas nor the embedding of that report agree (a same-language report of one assertion
# scores higher than a translation), a translation's cosine does not decide. "The Queen has
# died" met "De artsen ... maken zich zorgen" at 0.62 across languages, but the English
# report of the doctors' concern beside it at 0.54.
SAME_LANGUAGE_COSINE = 0.6
MAX_POSTING = 64  # a key shared by more live clusters than this says nothing


@dataclass
class ClaimText:
    """A report's language, sentence and the words it quotes (core.quotes), with their unit
    embeddings once computed. A report is embedded only when it is to be compared with one in
    another language, or is a dated outlet fact (``ClaimClusterer.to_embed``): the encoder is
    most of the story stage's cost, and most claims never meet a report of their speaker in
    another language."""

    language: str
    sentence: str
    quote: str | None = None
    vector: Vector | None = field(default=None, repr=False)
    quote_vector: Vector | None = field(default=None, repr=False)

    def unembedded(self) -> list[tuple[ClaimText, str, str]]:
        """(self, which, text) of each of its texts without an embedding yet."""
        out = [] if self.vector is not None else [(self, "vector", self.sentence)]
        if self.quote is not None and self.quote_vector is None:
            out.append((self, "quote_vector", self.quote))
        return out


# A year as a sentence writes it: four digits 1900-2099, not part of a longer number ("1.939",
# "2023-02-06" gives 2023). A round hundred (2000, 1900) is as often a count ("2000 Menschen")
# that another language writes "2,000", so it is not taken for a year.
_YEAR = re.compile(r"(?<![\d.,])(?:19|20)\d\d(?!\d|[.,]\d)")


@lru_cache(maxsize=65536)  # every comparison asks for each report's years again
def sentence_years(sentence: str) -> frozenset[str]:
    """The years a sentence names. A translation names the same years as its original;
    claims' numbers leave years out, so this is what tells "the worst disaster since 1939"
    from another statement of the same speaker on the same day."""
    return frozenset(m for m in _YEAR.findall(sentence) if not m.endswith("00"))


def _cosine(text: ClaimText, reports: list[ClaimText]) -> float | None:
    """The best cosine of ``text`` with ``reports``; None when nothing could be compared.
    Two reports that both quote the speaker are compared by the quoted words alone, others
    sentence to sentence: the frame around a quote ("sagte Bundestrainer Hansi Flick in der
    ARD", "zei hij na afloop", "sagte Donald Trump gegenüber den Medien") weighs as much in a
    short sentence as the quote. One quote of Flick's in two languages scored 0.28 as
    sentences and 0.52 as quotes; two different quotes of Trump's (real pages, de/en) 0.54 as
    sentences and 0.07 as quotes. A report that names other years than ``text`` is no
    translation of it and is not compared: "President Recep Tayyip Erdogan declared a
    three-month state of emergency" met Erdoğan's "worst disaster since 1939" in three
    languages at 0.505, and so never met the German report of the state of emergency (0.68)."""
    found = []
    years = sentence_years(text.sentence)
    for r in reports:
        if sentence_years(r.sentence) != years:
            continue
        if text.quote_vector is not None and r.quote_vector is not None:
            found.append(float(text.quote_vector @ r.quote_vector))
        elif text.vector is not None and r.vector is not None:
            found.append(float(text.vector @ r.vector))
    return max(found) if found else None


@dataclass
class ClaimCluster:
    cluster_id: str
    story_ids: set[str]
    speakers: frozenset[str]
    content: set[str]
    numbers: frozenset[float]
    last_seen: datetime
    # the texts of its first reports, compared by embedding
    reports: list[ClaimText] = field(default_factory=list, repr=False)
    # the calendar dates its reports name ("Woensdag", "on Wednesday" -> one ISO date)
    dates: frozenset[str] = frozenset()
    # the names its reports' sentences hold (claim entities, folded)
    entities: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ClaimMatch:
    """Where a claim goes: the live cluster it joins and by how far above its threshold, or
    ``cluster_id`` None when it opens a cluster of its own."""

    cluster_id: str | None
    score: float | None


STEM_CHARS = 7


def _stems(words: set[str]) -> set[str]:
    """Content lemmas cut to their first letters: the lookup lemmatizer leaves inflections
    and derivations it does not know ("Nederland"/"Nederlanden", "teleurstellend"/
    "teleurgesteld"), and a shared stem of seven letters is the same word."""
    return {w[:STEM_CHARS] for w in words}


def _jaccard(a: set[str], b: set[str]) -> float:
    a, b = _stems(a), _stems(b)
    return len(a & b) / len(a | b) if a and b else 0.0


def comparable(speakers: frozenset[str], numbers: frozenset[float], dates: frozenset[str],
               cluster: ClaimCluster) -> bool:
    """Whether a claim can be the cluster's assertion at all: a shared speaker, no numbers
    that disagree, and for an outlet's own facts no dates that disagree."""
    if not speakers & cluster.speakers:
        return False
    if numbers and cluster.numbers and not (numbers & cluster.numbers):
        return False
    return not (OUTLET in speakers and dates and cluster.dates and not (dates & cluster.dates))


def claim_similarity(speakers: frozenset[str], content: set[str], numbers: frozenset[float],
                     text: ClaimText | None, language: str, story_id: str,
                     cluster: ClaimCluster, dates: frozenset[str] = frozenset(),
                     entities: frozenset[str] = frozenset()) -> float:
    """How far above its threshold the better of two tests is (>= 1: the same assertion),
    0 when the claims cannot be one. Within a language the test is the content-lemma overlap
    (precise: embeddings put two statements of one speaker on one topic too close); across
    languages, where lemmas cannot meet, the embedding cosine. A fact an outlet states with
    a date is another fact on another date (code red on Friday, code orange on Sunday), and
    a shared date counts like a shared number. Two quotes are compared by their quoted words
    (``_cosine``)."""
    if not comparable(speakers, numbers, dates, cluster):
        return 0.0
    shared_speakers = speakers & cluster.speakers
    outlet = OUTLET in speakers
    same_story = story_id in cluster.story_ids
    # Without content to compare, the same speaker in the same story is enough; a shared
    # country alone is not ("Volgens Oekraïne ..." and "De Oekraïense president Zelensky
    # zegt ..." are two speakers: a country key only lets their content be compared).
    by_name = any(not key.startswith("@") for key in shared_speakers)
    overlap = _jaccard(content, cluster.content) if content and cluster.content else (
        0.5 if same_story and not outlet and by_name else 0.0)
    if outlet:
        need = OUTLET_FACT_THRESHOLD if same_story else OUTLET_CROSS_STORY_THRESHOLD
    else:
        need = CLAIM_THRESHOLD if same_story else CROSS_STORY_THRESHOLD
    score = overlap / need if overlap >= need else 0.0
    other = [r for r in cluster.reports if r.language != language]
    own = [r for r in cluster.reports if r.language == language]
    own_cosine = _cosine(text, own) if text is not None and other and own else None
    cosine = _cosine(text, other) if text is not None and other else None
    if cosine is not None and not (
            score < 1.0 and own_cosine is not None and own_cosine < SAME_LANGUAGE_COSINE):
        need_cos = EMBEDDING_THRESHOLD
        if not outlet and by_name and same_story and any(
                n != int(n) or abs(n) >= DISTINCTIVE_NUMBER for n in numbers & cluster.numbers):
            need_cos = NAMED_NUMBER_EMBEDDING_THRESHOLD
        if outlet:
            shared = numbers & cluster.numbers or dates & cluster.dates
            # across stories a shared number and a shared name stand in for a speaker: such
            # a fact needs what a named speaker's translation needs ("Door storm Ciarán zijn
            # ... zeker tien mensen om het leven gekomen" at nu.nl, "At least 10 people have
            # been killed ... after Storm Ciarán" at the BBC, in two stories: cosine 0.594)
            need_cos = OUTLET_EMBEDDING_THRESHOLD if shared and same_story \
                else EMBEDDING_THRESHOLD if numbers & cluster.numbers and \
                entities & cluster.entities else OUTLET_EMBEDDING_NO_NUMBERS
        if cosine >= need_cos:
            score = max(score, cosine / need_cos)
    return score


def _claim_keys(claim: dict[str, Any]
                ) -> tuple[frozenset[str], set[str], frozenset[float], frozenset[str]]:
    """A claim record's speaker keys, content lemmas, numbers and calendar dates."""
    speakers = speaker_keys(claim["speaker"], claim["claim_id"], str(claim.get("sentence", "")))
    numbers = frozenset(float(n["value"]) for n in claim.get("numbers", []))
    dates = frozenset(str(d["date"]) for d in claim.get("dates", []) if d.get("date"))
    return speakers, set(claim["content"].split()), numbers, dates


def claim_entities(claim: dict[str, Any]) -> frozenset[str]:
    """The names a claim's sentence holds, folded; of three letters or more (the "C" of
    "1,5 °C" is no name)."""
    found = (fold(str(e.get("canonical") or "")) for e in claim.get("entities", []))
    return frozenset(name for name in found if sum(c.isalpha() for c in name) >= 3)


class ClaimClusterer:
    MAX_REPORTS = 8  # reports a cluster is compared through by embedding

    def __init__(self, *, threshold: float = CLAIM_THRESHOLD) -> None:
        self.threshold = threshold
        self.clusters: dict[str, ClaimCluster] = {}
        self._postings: dict[str, set[str]] = {}
        self._expiry: ExpiryQueue[str] = ExpiryQueue()

    def __len__(self) -> int:
        return len(self.clusters)

    def _keys(self, speakers: frozenset[str], content: set[str], numbers: frozenset[float],
              dates: frozenset[str], story_ids: set[str]) -> set[str]:
        if OUTLET not in speakers:
            return {f"s:{s}" for s in speakers}
        # Unattributed facts: by their numbers, by their content words, and by the dates
        # they name within a story. A fact in another language shares no content word, and
        # often no number ("Het kabinet-Rutte IV is vrijdagavond gevallen" and "The Dutch
        # government collapsed on Friday evening"); a shared date in one story is what
        # lets claim_similarity accept its lower cosine, so it must find the cluster too.
        return {f"n:{n:g}" for n in numbers} | {f"c:{w}" for w in content if len(w) > 3} | {
            f"d:{story}/{d}" for story in story_ids for d in dates}

    def _candidates(self, keys: set[str]) -> list[ClaimCluster]:
        found: set[str] = set()
        for key in keys:
            posting = self._postings.get(key, set())
            if len(posting) <= MAX_POSTING or key.startswith("s:"):
                found |= posting
        return [self.clusters[c] for c in sorted(found)]

    def to_embed(self, claims: list[tuple[dict[str, Any], ClaimText]]
                 ) -> list[tuple[ClaimText, str, str]]:
        """The texts to embed before these claims (of one article, in one language) are
        matched: a claim's own, and the reports of its candidate clusters, wherever a
        candidate holds a report in another language; each as (report, which, text), for
        the caller to encode in one batch and set ``setattr(report, which, vector)``.
        A dated fact an outlet states is embedded in any case: its story is not known yet,
        and a report in another language may find it later by its date in their story
        (``_keys``), not by a word."""
        out: dict[tuple[int, str], tuple[ClaimText, str, str]] = {}
        for claim, text in claims:
            speakers, content, numbers, dates = _claim_keys(claim)
            candidates = [c for c in self._candidates(self._keys(speakers, content, numbers,
                                                                 frozenset(), set()))
                          if comparable(speakers, numbers, dates, c)
                          and any(r.language != text.language for r in c.reports)]
            dated_fact = OUTLET in speakers and bool(dates)
            for report in [text, *(r for c in candidates for r in c.reports)] \
                    if candidates or dated_fact else []:
                for item in report.unembedded():
                    out.setdefault((id(item[0]), item[1]), item)
        return list(out.values())

    def match(self, *, story_id: str, claim: dict[str, Any], text: ClaimText | None = None
              ) -> ClaimMatch:
        """The live cluster a claim would join, and its score; no side effects (``add``
        commits). ``text``: the claim's report text, with the embeddings ``to_embed``
        asked for."""
        speakers, content, numbers, dates = _claim_keys(claim)
        language = text.language if text is not None else str(claim.get("language", ""))
        names = claim_entities(claim)
        best: tuple[float, str] | None = None
        for cluster in self._candidates(self._keys(speakers, content, numbers, dates,
                                                   {story_id})):
            sim = claim_similarity(speakers, content, numbers, text, language, story_id,
                                   cluster, dates, names)
            if sim >= 1.0 and (best is None or sim > best[0]):
                best = (sim, cluster.cluster_id)
        return ClaimMatch(best[1], best[0]) if best is not None else ClaimMatch(None, None)

    def add(self, found: ClaimMatch, *, story_id: str, claim: dict[str, Any],
            published_at: datetime, text: ClaimText | None = None) -> str:
        """Put the claim where ``found`` (this state's ``match`` of it) says; its cluster id."""
        speakers, content, numbers, dates = _claim_keys(claim)
        names = claim_entities(claim)
        if found.cluster_id is not None:
            cluster = self.clusters[found.cluster_id]
            cluster.content |= content
            cluster.numbers = cluster.numbers | numbers
            cluster.dates = cluster.dates | dates
            cluster.entities = cluster.entities | names
            cluster.speakers = cluster.speakers | speakers
            cluster.story_ids.add(story_id)
        else:
            cluster = ClaimCluster(stable_id("cluster", story_id, claim["claim_id"]),
                                   {story_id}, speakers, set(content), numbers, published_at,
                                   dates=dates, entities=names)
            self.clusters[cluster.cluster_id] = cluster
        if text is not None and len(cluster.reports) < self.MAX_REPORTS:
            cluster.reports.append(text)
        cluster.last_seen = max(cluster.last_seen, published_at)
        for key in self._keys(speakers, content, numbers, dates, {story_id}):
            self._postings.setdefault(key, set()).add(cluster.cluster_id)
        self._expiry.push(cluster.cluster_id, cluster.last_seen)
        return cluster.cluster_id

    def assign(self, *, story_id: str, claim: dict[str, Any], published_at: datetime,
               text: ClaimText | None = None) -> str:
        """The cluster id of a claim, joining the best matching live cluster or a new one
        (``text`` carries the embeddings it is compared by, if any)."""
        found = self.match(story_id=story_id, claim=claim, text=text)
        return self.add(found, story_id=story_id, claim=claim, published_at=published_at,
                        text=text)

    def evict_before(self, cutoff: datetime) -> int:
        """Drop clusters not reported since ``cutoff`` (also inside a story that lives on: a
        story that runs for months must not collect clusters for months)."""
        evicted = 0
        for cluster_id, at in self._expiry.pop_before(cutoff):
            cluster = self.clusters.get(cluster_id)
            if cluster is None or cluster.last_seen != at:
                continue  # evicted already, or reported again since
            del self.clusters[cluster_id]
            for key in self._postings_of(cluster):
                posting = self._postings.get(key)
                if posting is not None:
                    posting.discard(cluster_id)
                    if not posting:
                        del self._postings[key]
            evicted += 1
        return evicted

    def _postings_of(self, cluster: ClaimCluster) -> set[str]:
        return self._keys(cluster.speakers, cluster.content, cluster.numbers, cluster.dates,
                          cluster.story_ids)

