"""How many threads the numeric libraries (OpenBLAS under numpy) may use in this process.

The story stage's matrix products are small: a lead through the sentence encoder, one
matrix-vector product over the candidate index's projected lead vectors. On a 2-core machine,
whose other core runs the extract stage's page processes, OpenBLAS's default of one thread per
core makes them slower, not faster: its threads spin waiting for a busy core. Measured here
(under load): the index's 4096 x 128 product took 1.2 ms with the default threads, 0.24 ms with
one. Hazard: the limit is process-wide and holds for every library that calls OpenBLAS.
"""

from __future__ import annotations

from typing import Any

from threadpoolctl import threadpool_limits

_limits: list[Any] = []  # the active limiter: threadpoolctl restores the default when freed


def limit_native_threads(threads: int) -> None:
    """Cap the BLAS thread pools of this process at ``threads``; 0 keeps the libraries'
    defaults."""
    if threads > 0:
        _limits[:] = [threadpool_limits(limits=threads, user_api="blas")]
