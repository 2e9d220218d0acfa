"""kbase.gcmode.bulk_work: fewer collections inside, the collector's own settings back afterwards."""

from __future__ import annotations

import gc
import threading
from typing import Iterator

import pytest

from kbase.gcmode import THRESHOLD, bulk_work


@pytest.fixture(autouse=True)
def default_collector() -> Iterator[None]:
    """Python's own settings for the test (the suite's conftest raises them), the suite's back after."""
    suite = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*suite)


def test_blocks_left_out_of_order_by_two_threads_restore_the_first_settings() -> None:
    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with bulk_work():
            first_in.set()
            second_in.wait(5)
        first_out.set()  # leaves while the second thread is still inside

    def second() -> None:
        first_in.wait(5)
        with bulk_work():
            second_in.set()
            first_out.wait(5)
            assert gc.get_threshold()[0] == THRESHOLD  # still raised: a block is open

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert gc.get_threshold() == before == (700, 10, 10)


def test_nested_blocks_raise_the_threshold_once_and_freeze_what_was_alive() -> None:
    before = gc.get_threshold()
    with bulk_work():
        assert gc.get_threshold()[0] == THRESHOLD
        assert gc.get_freeze_count() > 0
        with bulk_work():
            assert gc.get_threshold()[0] == THRESHOLD
        assert gc.get_threshold()[0] == THRESHOLD
    assert gc.get_threshold() == before
