"""radio.gc_pause: the collector is off inside a build, back on after — nested, in threads, after an error —
and a collector that was off stays off."""

from __future__ import annotations

import gc
import threading

import pytest

from radio.gc_pause import collection_paused


def test_the_collector_is_off_inside_and_back_on_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause ending does not resume it
        raise ValueError
    assert gc.isenabled()


def test_overlapping_pauses_in_threads_resume_when_the_last_ends() -> None:
    inside, release = threading.Barrier(3), threading.Event()

    def build() -> None:
        with collection_paused():
            inside.wait()
            release.wait(5)

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    inside.wait()
    assert not gc.isenabled()
    release.set()
    for thread in threads:
        thread.join()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_report_builders_pause_it(monkeypatch) -> None:
    """The whole-year report builds run paused (the figure in the module's docstring)."""
    from reports import evidence, pdf, reach, tables

    seen = []
    for builder in (reach.build_reach_report, evidence.evidence_summary, pdf.reach_pdf, pdf.evidence_pdf,
                    tables.reach_csv, tables.reach_xlsx):
        monkeypatch.setattr(gc, "disable", lambda: seen.append("off"))
        try:
            builder(*([None] * 2))
        except Exception:  # noqa: BLE001 - the arguments are wrong on purpose: only the pause is looked at
            pass
        assert seen, builder.__name__
        seen.clear()
