from __future__ import annotations

import pytest

from govsite.indexno import DEFAULT_PATTERN, compile_pattern


def test_the_default_pattern_is_the_20_character_index_number() -> None:
    pattern = compile_pattern(DEFAULT_PATTERN)
    number = pattern.format(agency_code="002583021", year=2024, month=3, serial=12)
    assert number == "002583021/2024-00012" and len(number) == 20
    assert pattern.parse(number) == {"agency_code": "002583021", "year": "2024", "serial": "00012"}


@pytest.mark.parametrize(
    "bad", ["002583021/2024-12", "00258302/2024-00012", "002583021-2024-00012", ""]
)
def test_numbers_off_the_pattern_do_not_parse(bad: str) -> None:
    assert compile_pattern(DEFAULT_PATTERN).parse(bad) is None


def test_credit_codes_and_monthly_serials() -> None:
    pattern = compile_pattern("{agency_code}/{year}{month:02d}-{serial:04d}")
    assert pattern.parse("11330100002583021X/202403-0007") == {
        "agency_code": "11330100002583021X",
        "year": "2024",
        "month": "03",
        "serial": "0007",
    }
    assert pattern.parse("11330100002583021X/202413-0007") is None


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{agency_code}/{year}", "needs a '{serial}' field"),
        ("{agency}/{serial:05d}", "unknown field '{agency}'"),
        ("{serial:5}", "zero-padded width"),
        ("{serial}{serial}", "appears twice"),
    ],
)
def test_bad_patterns_say_what_is_wrong(template: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        compile_pattern(template)
