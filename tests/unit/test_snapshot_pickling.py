"""The snapshot pickles govsite's frozen dataclasses as a call of their class's maker."""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass

import pytest

from govsite.engine import pickling


@dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Single:
    only: Point


def pickled(value: object) -> bytes:
    buffer = io.BytesIO()
    pickling.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def test_frozen_dataclasses_are_made_again_equal_and_frozen() -> None:
    value = [Single(Point(1, ("a", "b"))), Point(2, ())]
    data = pickled(value)
    # By the class's maker, not pickle's own way (which names the class itself).
    assert f"make:{__name__.replace('.', ':')}:Point".encode() in data
    again = pickle.loads(data)
    assert again == value
    assert type(again[0].only) is Point
    with pytest.raises(AttributeError):
        again[1].x = 3  # still frozen


def test_values_saved_by_a_class_of_other_fields_are_refused() -> None:
    """A snapshot saved before a class gained or lost a field is unreadable, so a miss."""
    make = getattr(pickling, f"make:{__name__.replace('.', ':')}:Point")
    assert make(1, ()) == Point(1, ())
    for values in [(1,), (1, (), "extra")]:
        with pytest.raises(TypeError):
            make(*values)


def test_only_makers_of_frozen_dataclasses_with_slots_are_found() -> None:
    for name in ["make:pathlib:Path", "make:no:such:Class", "mapping", "make:"]:
        with pytest.raises(AttributeError):
            getattr(pickling, name)
