"""Exact and near-duplicate detection. Pure logic, bounded state.

- exact: same canonical URL, or same content hash (normalised text);
- near duplicate: MinHash (datasketch) over word 3-shingles; the *containment* of the shorter
  text in the longer (estimated from the Jaccard and the two shingle counts) >= ``threshold``,
  so that a wire story shortened, padded or given other boilerplate at a second site is still
  one text; at another outlet that is a *syndicated* copy, at the same outlet a re-edit.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from datasketch import LeanMinHash, MinHash, MinHashLSH

from claimwire.agents.core.expiry import ExpiryQueue
from claimwire.agents.core.ids import normalise_text

NUM_PERM = 64
# Containment of the shorter text's word 3-shingles in the longer's at or above which two
# texts are copies of one text.
NEAR_DUPLICATE_THRESHOLD = 0.8
# Candidates come from LSH at this Jaccard: a text wholly inside one twice as long has 0.5.
CANDIDATE_JACCARD = 0.45


def shingles(text: str) -> set[str]:
    words = normalise_text(text).split()
    return {" ".join(words[i:i + 3]) for i in range(max(len(words) - 2, 1))}


def minhash(text: str) -> MinHash:
    sig = MinHash(num_perm=NUM_PERM, seed=7)
    sig.update_batch([s.encode() for s in shingles(text)])
    return sig


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """|A & B| / min(|A|, |B|) from the Jaccard of A and B and their sizes."""
    if not size_a or not size_b:
        return 0.0
    shared = jaccard * (size_a + size_b) / (1 + jaccard)
    return min(shared / min(size_a, size_b), 1.0)


@dataclass(frozen=True)
class DedupResult:
    kind: str  # unique | exact | near_duplicate | syndicated
    of_article_id: str | None = None
    of_url: str | None = None
    similarity: float | None = None


@dataclass
class _Seen:
    article_id: str
    url: str
    outlet: str
    published_at: datetime
    # hash values only: a MinHash also carries its permutations (three times the bytes), which
    # a kept signature never needs again, and snapshots pickle every kept one
    signature: LeanMinHash
    size: int  # shingles

class DuplicateIndex:
    """Remembers articles for ``retention`` of event time; evicts older ones."""

    def __init__(self, *, threshold: float = NEAR_DUPLICATE_THRESHOLD) -> None:
        self.threshold = threshold
        self._by_url: dict[str, str] = {}
        self._by_hash: dict[str, str] = {}
        self._seen: OrderedDict[str, _Seen] = OrderedDict()
        self._keys: dict[str, tuple[str, str]] = {}
        self._lsh = MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM)
        self._expiry: ExpiryQueue[str] = ExpiryQueue()

    def __len__(self) -> int:
        return len(self._seen)

    def check(self, *, article_id: str, url: str, canonical: str, digest: str, outlet: str,
              text: str, published_at: datetime) -> DedupResult:
        """Classify an article and remember it (unless it is an exact duplicate)."""
        if canonical in self._by_url:
            first = self._seen[self._by_url[canonical]]
            return DedupResult("exact", first.article_id, first.url, 1.0)
        if digest in self._by_hash:
            first = self._seen[self._by_hash[digest]]
            if first.outlet == outlet:  # the same text again from the same outlet
                return DedupResult("exact", first.article_id, first.url, 1.0)
        size = len(shingles(text))
        signature = minhash(text)
        result = DedupResult("unique")
        best: tuple[float, str] | None = None
        if digest in self._by_hash:  # an identical text at another outlet: a wire copy
            best = (1.0, self._by_hash[digest])
        for other in sorted(self._lsh.query(signature)):
            seen = self._seen[other]
            sim = containment(signature.jaccard(seen.signature), size, seen.size)
            # Candidates in id order, ties kept on the first: deterministic for any arrival.
            if sim >= self.threshold and (best is None or sim > best[0]):
                best = (sim, other)
        if best is not None:
            first = self._seen[best[1]]
            kind = "near_duplicate" if first.outlet == outlet else "syndicated"
            result = DedupResult(kind, first.article_id, first.url, round(best[0], 3))
        self._seen[article_id] = _Seen(article_id, url, outlet, published_at,
                                       LeanMinHash(signature), size)
        self._by_url[canonical] = article_id
        self._by_hash.setdefault(digest, article_id)
        self._keys[article_id] = (canonical, digest)
        self._lsh.insert(article_id, signature)
        self._expiry.push(article_id, published_at)
        return result

    def evict_before(self, cutoff: datetime) -> int:
        """Forget articles published before ``cutoff``. Returns how many were evicted."""
        old = [aid for aid, _at in self._expiry.pop_before(cutoff)
               if aid in self._seen and self._seen[aid].published_at < cutoff]
        for aid in old:
            canonical, digest = self._keys.pop(aid)
            if self._by_url.get(canonical) == aid:
                del self._by_url[canonical]
            if self._by_hash.get(digest) == aid:
                del self._by_hash[digest]
            del self._seen[aid]
            self._lsh.remove(aid)
        return len(old)
