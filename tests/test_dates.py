import datetime as dt

import pytest

from mentorsite.site.dates import Due, add_months, parse_due, resolve

START = dt.date(2027, 1, 11)
PHASES = {"closure": Due("week", 22), "kickoff": Due("day", 21)}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("week 4", dt.date(2027, 2, 8)),
        ("Week 0", START),
        ("day 10", dt.date(2027, 1, 21)),
        ("month 2", dt.date(2027, 3, 11)),
        ("months 12", dt.date(2028, 1, 11)),
        ("phase:closure", dt.date(2027, 6, 14)),
        ("phase:kickoff + 1 week", dt.date(2027, 2, 8)),
        ("2027-05-01", dt.date(2027, 5, 1)),
        (dt.date(2027, 5, 2), dt.date(2027, 5, 2)),
    ],
)
def test_due_dates_resolve_from_the_cohort_start(text, expected):
    assert resolve(parse_due(text), START, PHASES) == expected


def test_without_a_start_only_absolute_dates_resolve():
    assert resolve(parse_due("week 4"), None, PHASES) is None
    assert resolve(parse_due("2027-05-01"), None, PHASES) == dt.date(2027, 5, 1)


@pytest.mark.parametrize(
    "text, label",
    [("week 4", "Week 4"), ("month 2", "Month 2"), ("day 10", "Day 10"), ("phase:closure", "Start of phase 'closure'")],
)
def test_relative_labels(text, label):
    assert parse_due(text).relative_label() == label


@pytest.mark.parametrize("text", ["next week", "week four", "phase:", "2027-1301", "", "fortnight 2"])
def test_bad_due_dates_name_the_accepted_forms(text):
    with pytest.raises(ValueError) as info:
        parse_due(text)
    assert str(info.value) == (
        f"'{text}' is not a due date — write 'week 4', 'month 2', 'day 10', 'phase:<id>' or a date such as 2027-03-01"
    )


@pytest.mark.parametrize("text, message", [
    ("2027-13-01", "'2027-13-01' does not exist — a year has months 01 to 12: correct the month"),
    ("2027-00-10", "'2027-00-10' does not exist — a year has months 01 to 12: correct the month"),
    ("2027-02-29", "'2027-02-29' does not exist — February 2027 has 28 days: correct the day"),
    ("2027-09-31", "'2027-09-31' does not exist — September 2027 has 30 days: correct the day"),
    ("2027-01-00", "'2027-01-00' does not exist — January 2027 has 31 days: correct the day"),
])
def test_a_date_that_does_not_exist_says_so(text, message):
    with pytest.raises(ValueError) as info:
        parse_due(text)
    assert str(info.value) == message
    assert parse_due("2028-02-29").date.isoformat() == "2028-02-29"  # (a leap year's)


def test_months_clamp_to_the_end_of_shorter_months():
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)
