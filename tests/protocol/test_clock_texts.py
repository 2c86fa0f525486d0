"""The dates and times answers show are the ones `datetime` shows for the same moment, at the edges too."""

from __future__ import annotations

from datetime import datetime

import pytest

from mockums.clock import BEIJING, beijing_date, format_time

MIDNIGHT = 1_780_156_800.0  # 2026-05-31 00:00:00 Beijing time


@pytest.mark.parametrize("epoch", [
    MIDNIGHT, MIDNIGHT - 0.5, MIDNIGHT - 0.0000004, MIDNIGHT - 0.0000005, MIDNIGHT - 0.0000006, MIDNIGHT - 0.000001,
    MIDNIGHT + 0.9999996, 0.0, 0.9999996, -0.5, -1.0000004, -86_400.25,
])
def test_a_date_and_a_time_are_those_datetime_shows(epoch: float) -> None:
    shown = datetime.fromtimestamp(epoch, BEIJING)
    assert beijing_date(epoch) == shown.strftime("%Y%m%d")
    assert format_time(epoch) == shown.strftime("%Y-%m-%d %H:%M:%S")
