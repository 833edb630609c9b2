"""Python's cycle collector, tuned where a measured stage spends its time in it.

Reference counting frees almost everything the pipeline allocates; the cycle collector only has
to find reference cycles. Its default schedule (a young pass every 700 new container objects, a
full pass when enough have survived) was made for programs whose heaps stay small. The
ingestion and the school packs keep hundreds of thousands to millions of objects alive at once
(a sheet's rows, a pack's cells), so the full passes walked all of them again and again:
8 % of the region's ingestion CPU, a fifth of the pack workers'. Two tools, each used at one
measured place:
- `fewer_passes` — young passes every 100 000 objects instead of 700 (the ingestion);
- `paused` — no automatic passes during a unit of work that makes almost no cycles (a pack task).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

YOUNG_PASS_EVERY = 100_000
"""New container objects between two young passes under `fewer_passes` (Python's default: 700).
Region ingestion: collection time 2.65 → 0.86 s, no full pass left. The objects waiting for a
pass are live anyway (refcounting frees the rest), so the cost is at most this many objects of
cyclic garbage kept a little longer."""


@contextmanager
def fewer_passes(young: int = YOUNG_PASS_EVERY) -> Iterator[None]:
    """Collector passes `young / 700` times rarer inside the block; the previous schedule after."""
    before = gc.get_threshold()
    gc.set_threshold(young, before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def paused() -> Iterator[None]:
    """No automatic passes inside the block; the collector resumes (and catches up) after it, and
    stays off if it was off. Process-wide: use it only where this process does nothing else
    meanwhile (a pool worker's task), never in a thread beside other work."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

