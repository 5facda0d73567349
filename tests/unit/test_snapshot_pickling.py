"""The snapshot pickles govsite's frozen dataclasses by their fields' values."""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass

import pytest

from govsite.engine import snapshot


@dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Single:
    only: Point


def pickled(value: object) -> bytes:
    buffer = io.BytesIO()
    snapshot._Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def test_frozen_dataclasses_are_made_again_equal_and_frozen() -> None:
    value = [Single(Point(1, ("a", "b"))), Point(2, ())]
    data = pickled(value)
    assert b"restore" in data  # by the snapshot's layout, not pickle's own way
    again = pickle.loads(data)
    assert again == value
    assert type(again[0].only) is Point
    with pytest.raises(AttributeError):
        again[1].x = 3  # still frozen


def test_values_saved_by_a_class_of_other_fields_are_refused() -> None:
    """A snapshot saved before a class gained or lost a field is unreadable, so a miss."""
    assert snapshot.restore(Point, 1, ()) == Point(1, ())
    for values in [(1,), (1, (), "extra")]:
        with pytest.raises(pickle.UnpicklingError):
            snapshot.restore(Point, *values)
