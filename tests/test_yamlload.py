from pathlib import Path

import pytest

from mentorsite.errors import SiteError
from mentorsite.sources.yamlload import decode, load_yaml

P = Path("f.yml")


def error_of(text: str) -> str:
    with pytest.raises(SiteError) as info:
        load_yaml(text, P)
    return str(info.value)


def test_keys_and_values_know_their_place():
    data = load_yaml("a: 1\nb:\n  - x\n  - y: 2\n", P)
    assert data == {"a": 1, "b": ["x", {"y": 2}]}
    assert str(data.key_locs["b"]) == "f.yml:2:1"
    assert str(data["b"].item_locs[1]) == "f.yml:4:5"
    assert str(data["b"][1].value_locs["y"]) == "f.yml:4:8"


def test_line_offset_for_front_matter():
    data = load_yaml("title: x\n", P, line_offset=1)
    assert str(data.key_locs["title"]) == "f.yml:2:1"


def test_syntax_error_is_located():
    assert error_of("a: [1, 2\nb: 3\n").startswith("f.yml:2:")


def test_colon_in_value_gets_a_hint():
    assert error_of("a: b: c\n") == (
        "f.yml:1:5: invalid YAML: mapping values are not allowed in this context — put the text in quotes: a: \"b: c\""
    )
    assert error_of("Key One: b: c\n") == (
        "f.yml:1:11: invalid YAML: mapping values are not allowed in this context — put text containing ': ' in quotes"
    )


@pytest.mark.parametrize("text, message", [
    ("items:\n  - Goals: one, two\n  - Next: read: the guide\n",
     "f.yml:3:15: invalid YAML: mapping values are not allowed in this context — put the text in quotes: "
     "- \"Next: read: the guide\""),
    ("items:\n  - Before it: agree on goals. During it: listen.\n",
     "f.yml:2:41: invalid YAML: mapping values are not allowed in this context — put the text in quotes: "
     "- \"Before it: agree on goals. During it: listen.\""),
    ("items:\n  - Ask: \"why?\" often\n",
     "f.yml:2:17: invalid YAML: did not find expected key — put the whole text in quotes: - 'Ask: \"why?\" often'"),
    ("items:\n  - 'Mentor's job: listen'\n",
     "f.yml:2:13: invalid YAML: did not find expected key — put the whole text in quotes: - \"Mentor's job: listen\""),
    ("roles:\n  - id: lead\n    title: Lead: mentor\n",
     "f.yml:3:16: invalid YAML: mapping values are not allowed in this context — put the text in quotes: "
     "title: \"Lead: mentor\""),
])
def test_a_list_item_with_a_colon_gets_the_quoted_form(text, message):
    assert error_of(text) == message


def test_tabs_get_a_hint():
    assert "indent with spaces, not tabs" in error_of("a:\n\t- b\n")


def test_duplicate_keys_are_errors():
    assert error_of("title: a\nname: b\ntitle: c\n") == "f.yml:3:1: duplicate key 'title' (first at line 1) — keep only one"


def test_non_text_keys_are_errors():
    assert error_of("1: a\n") == "f.yml:1:1: key '1' must be text — put it in quotes or use a name"


def test_impossible_dates_are_errors():
    assert error_of("start: 2027-02-30\n") == "f.yml:1:8: '2027-02-30' does not exist — February 2027 has 28 days: correct the day"
    assert error_of("start: 2028-02-30\n") == "f.yml:1:8: '2028-02-30' does not exist — February 2028 has 29 days: correct the day"
    assert error_of("start: 2027-04-31\n") == "f.yml:1:8: '2027-04-31' does not exist — April 2027 has 30 days: correct the day"
    assert error_of("start: 2027-13-01\n") == "f.yml:1:8: '2027-13-01' does not exist — a year has months 01 to 12: correct the month"


def test_billion_laughs_fails_fast():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    message = error_of("\n".join(lines) + "\n")
    assert "YAML too large" in message


def test_bom_and_windows_line_ends_are_accepted():
    assert decode(b"\xef\xbb\xbfa: 1\r\nb: 2\r\n", P) == "a: 1\nb: 2\n"


def test_invalid_utf8_names_the_byte():
    with pytest.raises(SiteError) as info:
        decode(b"a: 1\nb: caf\xe9\n", P)
    assert str(info.value) == "f.yml:2:7: invalid UTF-8 (byte 11 is 0xe9) — save the file as UTF-8"


def test_empty_document_is_none():
    assert load_yaml("# only a comment\n", P) is None
