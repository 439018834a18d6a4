"""A fit hands the heap's freed pages back to the system between its steps (``memory.give_back``)."""

from __future__ import annotations

import sys

import pytest

from monitor.topics.memory import give_back


def _resident() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="resident size read from /proc")
def test_freed_texts_leave_the_resident_size() -> None:
    if not give_back():
        pytest.skip("this C library cannot give memory back")
    texts = [bytes([i % 251]) * 2000 for i in range(40_000)]  # 80 MB of heap blocks, each above Python's own pools
    last = texts[-1]  # the heap's top stays in use, as after a corpus is read: only trimming returns the rest
    before = _resident()
    del texts
    held = _resident()
    give_back()
    after = _resident()
    assert before - held < 20e6  # freeing alone kept the pages
    assert held - after > 50e6  # giving back returned them
    assert last[0] == 39_999 % 251
