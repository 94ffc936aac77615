"""Full garbage collections on the GUI thread are rationed by the time they take."""

from __future__ import annotations

from apiclient.ui.gc_timer import FULL_GC_BUDGET, full_collection_due


def test_a_cheap_full_collection_may_run_as_often_as_needed():
    assert full_collection_due(now=10.0, last_end=9.99, last_duration=0.0001)


def test_an_expensive_one_waits_until_it_fits_the_budget():
    last = 0.25  # a big schema in memory
    wait = last / FULL_GC_BUDGET
    assert not full_collection_due(now=100.0 + wait - 0.1, last_end=100.0, last_duration=last)
    assert full_collection_due(now=100.0 + wait, last_end=100.0, last_duration=last)
