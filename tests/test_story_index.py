"""The story stage's candidate index (agents/story/index.py) and the worker's native-thread cap:
plain inputs and outputs."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info

from claimwire.agents.story.features import dot
from claimwire.agents.story.index import CandidateIndex
from claimwire.streams.runtime.native_threads import limit_native_threads


def _unit(rng: np.random.Generator) -> np.ndarray:
    v = rng.standard_normal(512).astype(np.float32)
    return np.asarray(v / np.linalg.norm(v), dtype=np.float32)


def _filled(stories: int, seed: int = 7) -> tuple[CandidateIndex, np.random.Generator]:
    rng = np.random.default_rng(seed)
    index = CandidateIndex(limit=4)
    for n in range(stories):
        index.add(f"s{n:03}", [f"t:own{n}", "t:shared" if n % 2 else "t:other"], _unit(rng))
    return index, rng


def test_the_candidate_budget_is_the_same_however_many_keys_match() -> None:
    index, rng = _filled(100)
    # no key matches: all 8 from the nearest vectors; one key match: 1 + 7
    assert len(index.candidates({}, _unit(rng))) == 8
    found = index.candidates({"t:own5": 3.0}, _unit(rng))
    assert found[0] == "s005" and len(found) == 8 and len(set(found)) == 8


def test_the_nearest_story_is_found_and_a_removed_one_never_again() -> None:
    index, rng = _filled(100)
    target = _unit(rng)
    index.add("near", [], target)
    assert index.candidates({}, target)[0] == "near"
    index.remove("near")
    assert "near" not in index.candidates({}, target)
    assert len(index) == 100


def test_a_key_shared_by_too_many_stories_is_not_looked_up() -> None:
    index, rng = _filled(200)  # "t:shared" is on 100 stories, over max_posting (64)
    by_key = index.candidates({"t:shared": 5.0}, None)
    assert by_key == []


def test_candidates_do_not_depend_on_insertion_history() -> None:
    a, rng_a = _filled(50, seed=3)
    b, rng_b = _filled(50, seed=3)
    query = _unit(np.random.default_rng(11))
    assert a.candidates({"t:own3": 1.0}, query) == b.candidates({"t:own3": 1.0}, query)


def test_sparse_dot_is_the_cosine_of_unit_vectors_in_any_key_order() -> None:
    a = {"x": 0.6, "y": 0.8}
    b = {"y": 0.6, "x": 0.8, "z": 0.0}
    assert dot(a, b) == dot(b, a) == 0.6 * 0.8 + 0.8 * 0.6
    assert dot(a, {}) == 0.0


def test_the_worker_caps_the_blas_threads() -> None:
    limit_native_threads(1)
    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    assert blas and all(p["num_threads"] == 1 for p in blas)
