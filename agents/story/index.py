"""Candidate retrieval for story assignment: which live stories an article may belong to,
without scoring all of them. Pure logic, deterministic.

Two indexes, whose union is cut to a fixed budget of ``2 x limit`` stories:
- an inverted index from *keys* (an article's rarest lead terms and its entities) to the
  stories whose members carry them; a key shared by more than ``max_posting`` stories says
  nothing about which story this is and is not looked up (so a query costs at most
  keys x max_posting, whatever the number of live stories); its best ``limit`` come first;
- a nearest-neighbour search over the stories' lead embeddings (all languages, so that a
  Dutch report finds the English story of its event), on a random projection to
  ``PROJECTED_DIMS`` dimensions: an exact dot product over a dense matrix; the nearest fill
  the budget. 64 dimensions, not more: at 20,000 stories the matrix (5 MB) stays in cache,
  and the product took a quarter of the time of 128 dimensions; on ECB+ dev the index still
  gives the full scan's stories (make bench-story).

Hazard: the vector search is linear in the number of live stories, with a small constant
(20,000 stories take well under a millisecond, ``make bench-story``); past a few hundred
thousand live stories an approximate index would be needed.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

PROJECTED_DIMS = 64
_SEED = 20261201  # the projection is part of the model: the same on every run


class CandidateIndex:
    def __init__(self, *, limit: int = 12, max_posting: int = 64, dims: int = 512) -> None:
        self.limit = limit
        self.max_posting = max_posting
        self._postings: dict[str, set[str]] = {}
        self._keys_of: dict[str, set[str]] = {}
        rng = np.random.default_rng(_SEED)
        self._projection = (rng.standard_normal((dims, PROJECTED_DIMS)) /
                            np.sqrt(PROJECTED_DIMS)).astype(np.float32)
        self._matrix = np.zeros((64, PROJECTED_DIMS), dtype=np.float32)
        self._row_of: dict[str, int] = {}
        self._story_at: list[str | None] = [None] * 64
        self._free: list[int] = list(range(63, -1, -1))
        self._used = 0  # rows below this were ever taken: the search reads no further

    def __len__(self) -> int:
        return len(self._keys_of)

    def add(self, story_id: str, keys: Iterable[str], vector: NDArray[np.float32] | None
            ) -> None:
        """Index a story under more keys and (re)place its vector (the latest member's)."""
        mine = self._keys_of.setdefault(story_id, set())
        for key in keys:
            if key not in mine:
                mine.add(key)
                self._postings.setdefault(key, set()).add(story_id)
        if vector is not None:
            row = self._row_of.get(story_id)
            if row is None:
                row = self._take_row(story_id)
            self._matrix[row] = vector @ self._projection

    def _take_row(self, story_id: str) -> int:
        if not self._free:
            old = len(self._story_at)
            self._matrix = np.vstack([self._matrix, np.zeros_like(self._matrix)])
            self._story_at += [None] * old
            self._free = list(range(2 * old - 1, old - 1, -1))
        row = self._free.pop()
        self._used = max(self._used, row + 1)
        self._row_of[story_id] = row
        self._story_at[row] = story_id
        return row

    def remove(self, story_id: str) -> None:
        for key in self._keys_of.pop(story_id, ()):
            posting = self._postings[key]
            posting.discard(story_id)
            if not posting:
                del self._postings[key]
        row = self._row_of.pop(story_id, None)
        if row is not None:
            self._matrix[row] = 0.0
            self._story_at[row] = None
            self._free.append(row)

    def candidates(self, keys: dict[str, float], vector: NDArray[np.float32] | None
                   ) -> list[str]:
        """Up to ``limit`` story ids by shared key weight, then the nearest by embedding
        similarity up to ``2 x limit`` in all; in a deterministic order. The budget is fixed,
        not ``limit`` of each: an article is scored against as many stories at 300 live ones
        as at 20,000 (where fewer share its keys, more of them are neighbours), so the cost per
        article does not depend on the state's size."""
        shared: dict[str, float] = {}
        for key, weight in keys.items():
            posting = self._postings.get(key)
            if posting is None or len(posting) > self.max_posting:
                continue
            for story_id in posting:
                shared[story_id] = shared.get(story_id, 0.0) + weight
        by_keys = sorted(shared, key=lambda s: (-shared[s], s))[:self.limit]
        taken = set(by_keys)
        nearest = [s for s in self._nearest(vector, 2 * self.limit) if s not in taken]
        return by_keys + nearest[:2 * self.limit - len(by_keys)]

    def _nearest(self, vector: NDArray[np.float32] | None, count: int) -> list[str]:
        if vector is None or not self._row_of:
            return []
        scores = self._matrix[:self._used] @ (vector @ self._projection)
        k = min(count, len(scores) - 1)
        top = np.argpartition(-scores, k)[:k + 1]
        found = [(float(scores[r]), self._story_at[r]) for r in top]
        return [s for _score, s in sorted((x for x in found if x[1] is not None),
                                          key=lambda x: (-x[0], x[1]))][:count]
