"""Digests for the build cache: equal exactly when the values would render alike."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import PurePosixPath

import pytest
from markupsafe import Markup

from govsite.fingerprint import Unfingerprintable, digest


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("<b>", Markup("<b>")),  # escaped or not
        ((1, 2), [1, 2]),
        ("2024-01-02", date(2024, 1, 2)),
        (1, 1.0),
        (1, True),
        (None, "None"),
        ("a/b", PurePosixPath("a/b")),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),  # order of a mapping shows in templates
        (("ab", "c"), ("a", "bc")),
    ],
)
def test_values_that_could_render_differently_differ(one: object, other: object) -> None:
    assert digest(one) != digest(other)


def test_equal_values_agree_whatever_the_order_of_a_set() -> None:
    assert digest(frozenset({"b", "a", "c"})) == digest(frozenset({"c", "a", "b"}))
    assert digest((date(2024, 1, 2), "x")) == digest((date(2024, 1, 2), "x"))


def test_every_dataclass_field_counts_even_those_repr_leaves_out() -> None:
    @dataclasses.dataclass(frozen=True)
    class Hidden:
        shown: str
        hidden: str = dataclasses.field(repr=False)

    assert repr(Hidden("a", "1")) == repr(Hidden("a", "2"))
    assert digest(Hidden("a", "1")) != digest(Hidden("a", "2"))


def test_an_unknown_type_is_refused_not_guessed() -> None:
    with pytest.raises(Unfingerprintable):
        digest(object())
