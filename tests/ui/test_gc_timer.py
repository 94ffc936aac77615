"""Full garbage collections on the GUI thread are rationed by the time they take."""

from __future__ import annotations

import gc
import weakref

from apiclient.ui.gc_timer import (
    FULL_GC_BUDGET,
    THAW_AFTER_S,
    GuiThreadGarbageCollector,
    full_collection_due,
)


def test_a_cheap_full_collection_may_run_as_often_as_needed():
    assert full_collection_due(now=10.0, last_end=9.99, last_duration=0.0001)


def test_an_expensive_one_waits_until_it_fits_the_budget():
    last = 0.25  # a big schema in memory
    wait = last / FULL_GC_BUDGET
    assert not full_collection_due(now=100.0 + wait - 0.1, last_end=100.0, last_duration=last)
    assert full_collection_due(now=100.0 + wait, last_end=100.0, last_duration=last)


class _Node:
    me: _Node


def test_a_full_collection_freezes_its_survivors_and_a_thaw_frees_old_cycles(qapp):
    collector = GuiThreadGarbageCollector()
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], 0)  # any full pass is due at once

    def full_pass() -> None:
        gc.collect(1)  # counts one towards a full collection
        collector._last_full_end = 0.0  # the time budget is tested above
        collector._collect()

    try:
        node = _Node()
        node.me = node
        alive = weakref.ref(node)
        full_pass()
        assert gc.get_freeze_count() > 0
        del node
        full_pass()
        assert alive() is not None  # a cycle among frozen objects waits for the thaw
        collector._last_thaw -= THAW_AFTER_S
        full_pass()
        assert alive() is None
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
