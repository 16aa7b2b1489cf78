import pandas as pd
import pytest

from custlib.exceptions import ParamsError
from custlib.io.periods import Quarter, latest_complete_quarter


def test_quarter_parse_accepts_common_spellings():
    assert Quarter.parse("2026Q3") == Quarter(2026, 3)
    assert Quarter.parse("2026q1") == Quarter(2026, 1)
    assert Quarter.parse("2026-Q4") == Quarter(2026, 4)


@pytest.mark.parametrize("bad", ["2026Q5", "Q3", "2026-09", "", "26Q1"])
def test_quarter_parse_rejects_malformed_text_naming_the_parameter(bad):
    with pytest.raises(ParamsError, match="quarter: .* expected the form 2026Q3"):
        Quarter.parse(bad)


def test_quarter_bounds_are_calendar_quarters():
    q = Quarter(2024, 1)
    assert q.start == pd.Timestamp("2024-01-01")
    assert q.end == pd.Timestamp("2024-03-31")
    assert Quarter(2024, 4).end == pd.Timestamp("2024-12-31")


def test_shift_crosses_year_boundaries():
    assert Quarter(2026, 1).previous == Quarter(2025, 4)
    assert Quarter(2026, 3).shift(-4) == Quarter(2025, 3)
    assert Quarter(2025, 4).shift(1) == Quarter(2026, 1)


def test_latest_complete_quarter_needs_data_up_to_the_last_day():
    assert latest_complete_quarter("2026-09-30") == Quarter(2026, 3)
    assert latest_complete_quarter("2026-09-29") == Quarter(2026, 2)
    assert latest_complete_quarter("2026-11-24") == Quarter(2026, 3)
