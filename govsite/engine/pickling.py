"""How the snapshot pickles govsite's frozen dataclasses: each as a call of one maker
written for its class, with the field values as its arguments.

Python's own way for a frozen dataclass with slots asks `dataclasses.fields` for every
object, on saving and again on loading: with some 250,000 of them at 10,000 records
that was a third of the snapshot's time. Here each class's layout is worked out once.

Loading runs one Python call per object, the maker's, and nothing else of govsite's:
at 10,000 records, 295,000 objects. Pickle names the maker (`make:MODULE:CLASS`, the
module's dots written as colons, since pickle reads a dotted name as attributes) and
finds it in this module, through `__getattr__`. A generic restore(cls, *values) took
three calls an object, and loading the snapshot 40% longer.
"""

from __future__ import annotations

import copyreg
import dataclasses
import importlib
import operator
import pickle
import sys
from collections.abc import Callable
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any

_MAKER = "make:"
"""How a maker's name starts: `make:govsite:model:Record` makes govsite.model.Record."""


def mapping_proxy(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    """A read-only view of `items` (how a pickled one is made again)."""
    return MappingProxyType(items)


def _pickle_mapping_proxy(
    proxy: MappingProxyType[Any, Any],
) -> tuple[Callable[[dict[Any, Any]], MappingProxyType[Any, Any]], tuple[dict[Any, Any]]]:
    return mapping_proxy, (dict(proxy),)


copyreg.pickle(MappingProxyType, _pickle_mapping_proxy)


class Pickler(pickle.Pickler):
    """A pickler that saves govsite's frozen dataclasses as a call of their class's maker.

    The values are the call's arguments, one flat tuple: pickle keeps every tuple it
    saved until the end (in its memo), and a nested one was a second tuple per object
    (300,000 at 10,000 records)."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is PurePosixPath:
            # As its text: pathlib's own way makes it again from its parts, each parsed
            # (the 24,000 paths of a 10,000-record snapshot took a tenth of a second).
            return PurePosixPath, (str(obj),)
        layout = _layout(type(obj))
        if layout is None:
            return NotImplemented
        return layout.make, layout.values(obj)


@dataclasses.dataclass(frozen=True, slots=True)
class _Layout:
    values: Callable[[Any], tuple[Any, ...]]
    make: Callable[..., Any]
    """An instance made again from `values`' tuple, as arguments."""


_LAYOUTS: dict[type, _Layout | None] = {}


def _layout(cls: type) -> _Layout | None:
    """How to save and make again an instance of `cls`: None if it is not a frozen
    dataclass with slots that pickle can name (pickle's own way then)."""
    if cls not in _LAYOUTS:
        params = getattr(cls, "__dataclass_params__", None)
        _LAYOUTS[cls] = None
        # Pickle finds the maker by the class's module and name: not one nested, or local.
        named = getattr(sys.modules.get(cls.__module__), cls.__qualname__, None) is cls
        if params is not None and params.frozen and "__slots__" in cls.__dict__ and named:
            names = tuple(field.name for field in dataclasses.fields(cls))
            values = operator.attrgetter(*names) if len(names) > 1 else _one(names[0])
            _LAYOUTS[cls] = _Layout(values, _maker(cls, names))
    return _LAYOUTS[cls]


def _one(name: str) -> Callable[[Any], tuple[Any, ...]]:
    return lambda obj: (getattr(obj, name),)


def _maker(cls: type, names: tuple[str, ...]) -> Callable[..., Any]:
    """A function making an instance of `cls` from its field values, set through its slots
    as pickle's own way does (a frozen class refuses setattr). It is written out for the
    class, one line a field, as dataclasses writes `__init__`: with a loop over the fields,
    loading took a quarter more time. Called with another number of values (a snapshot
    saved before the class changed), it raises TypeError, and the snapshot is a miss."""
    setters = {f"_set_{number}": getattr(cls, name).__set__ for number, name in enumerate(names)}
    arguments = [f"value_{number}" for number in range(len(names))]
    lines = [f"    _set_{number}(obj, {argument})" for number, argument in enumerate(arguments)]
    head = f"def make({', '.join(arguments)}):"
    source = "\n".join([head, "    obj = new(cls)", *lines, "    return obj"])
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls, **setters}
    exec(source, scope)  # the source is made above from field numbers only
    maker: Callable[..., Any] = scope["make"]
    maker.__module__ = __name__
    maker.__name__ = maker.__qualname__ = (
        f"{_MAKER}{cls.__module__.replace('.', ':')}:{cls.__name__}"
    )
    return maker


def __getattr__(name: str) -> Callable[..., Any]:
    """The maker pickle names (see the module's docstring), found by its class."""
    module, _, class_name = name.removeprefix(_MAKER).rpartition(":")
    if not name.startswith(_MAKER) or not module:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        cls = getattr(importlib.import_module(module.replace(":", ".")), class_name, None)
    except ImportError:
        cls = None
    layout = _layout(cls) if isinstance(cls, type) else None
    if layout is None:
        raise AttributeError(f"{name!r} names no frozen dataclass with slots")
    return layout.make
