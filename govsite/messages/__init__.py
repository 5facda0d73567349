"""Diagnostic messages in the editor's language: one catalogue per language, keyed by code.

A diagnostic carries a `Text` (a catalogue key such as `GS201` or `GS102.fullwidth-colon`
and its named parameters); it is put into words only when printed, in the language the
CLI or the preview server chose (`choose_language`). Keys a catalogue lacks fall back to
English, and codes not yet converted carry only their English message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from govsite.messages import en, zh

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = ("en", "zh")
_CATALOGUES: Mapping[Language, Mapping[str, str]] = {"en": en.MESSAGES, "zh": zh.MESSAGES}


@dataclass(frozen=True, slots=True)
class Text:
    """A message not yet put into words: its catalogue key and named parameters.

    A parameter may itself be a Text (`got` = "a list"), put into words in the same language.
    """

    key: str
    params: tuple[tuple[str, Param], ...] = ()

    def render(self, language: Language = "en") -> str:
        template = _CATALOGUES[language].get(self.key) or en.MESSAGES[self.key]
        values = {
            name: value.render(language) if isinstance(value, Text) else value
            for name, value in self.params
        }
        return template.format(**values)

    def to_json(self) -> list[object]:
        return [
            self.key,
            [
                [name, {"text": v.to_json()} if isinstance(v, Text) else v]
                for name, v in self.params
            ],
        ]

    @classmethod
    def from_json(cls, data: object) -> Text:
        """ValueError or TypeError if `data` is not what `to_json` makes."""
        if not isinstance(data, list) or len(data) != 2 or not isinstance(data[1], list):
            raise ValueError("a message is [key, [[name, value], ...]]")
        key, params = data
        if not isinstance(key, str) or key not in en.MESSAGES:
            raise ValueError(f"unknown message key {key!r}")
        pairs = tuple((str(name), _param_from_json(value)) for name, value in params)
        return cls(key, pairs)


Param = str | int | Text


def _param_from_json(value: object) -> Param:
    if isinstance(value, dict) and set(value) == {"text"}:
        return Text.from_json(value["text"])
    if isinstance(value, str | int):
        return value
    raise ValueError("message parameters are text, numbers or messages")


def text(message_key: str, /, **params: Param) -> Text:
    """`text("GS201", key="gnere")`: the message `message_key` with its named parameters."""
    if message_key not in en.MESSAGES:
        raise KeyError(f"no message '{message_key}' in the English catalogue")  # a bug in govsite
    return Text(message_key, tuple(sorted(params.items()) if len(params) > 1 else params.items()))


def choose_language(explicit: str | None, site_language: str | None) -> Language:
    """`--lang` if given, else an `en*`/`zh*` locale (LC_ALL, LC_MESSAGES, LANG), else the site's."""
    if explicit:
        return _language_of(explicit) or "en"
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        found = _language_of(os.environ.get(variable, ""))
        if found:
            return found
        if os.environ.get(variable):
            break  # the first variable that is set decides, as in POSIX
    return _language_of(site_language or "") or "zh"


def _language_of(tag: str) -> Language | None:
    tag = tag.lower()
    if tag.startswith("en"):
        return "en"
    if tag.startswith("zh"):
        return "zh"
    return None
