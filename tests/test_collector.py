"""rsoko.collector: the cycle collector's schedule changed inside a block and given back after it."""
from __future__ import annotations

import gc
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest

from rsoko import collector


def test_fewer_passes_raises_the_young_threshold_and_restores_the_schedule():
    before = gc.get_threshold()
    with collector.fewer_passes(50_000):
        assert gc.get_threshold() == (50_000, before[1], before[2])
        survivors = [[i] for i in range(30_000)]          # fewer than 50 000 new containers:
        assert gc.get_count()[0] >= len(survivors)          # no young pass has run
    assert gc.get_threshold() == before


def test_paused_turns_the_collector_off_inside_and_leaves_it_as_it_was():
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with collector.paused():
            raise RuntimeError("a pack failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()       # a caller that had paused it keeps it paused
    finally:
        gc.enable()


def _freeze_count() -> int:
    return gc.get_freeze_count()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")
def test_workers_forked_inside_frozen_inherit_a_frozen_heap_and_this_process_gets_it_back():
    alive = [{"row": i} for i in range(10_000)]
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    try:
        with collector.frozen():
            first = pool.submit(_freeze_count)       # a fork pool starts its workers at the first submit
        assert first.result() >= len(alive)
        assert pool.submit(_freeze_count).result() >= len(alive)
    finally:
        pool.shutdown()
    assert gc.get_freeze_count() == 0
