"""rsoko.collector: the cycle collector's schedule changed inside a block and given back after it."""
from __future__ import annotations

import gc

import pytest

from rsoko import collector


def test_fewer_passes_raises_the_young_threshold_and_restores_the_schedule():
    before = gc.get_threshold()
    with collector.fewer_passes(50_000):
        assert gc.get_threshold() == (50_000, before[1], before[2])
        survivors = [[i] for i in range(30_000)]          # fewer than 50 000 new containers:
        assert len(survivors) and gc.get_count()[0] > 20_000   # no young pass has run (default: every 700)
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

