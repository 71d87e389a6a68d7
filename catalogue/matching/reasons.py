"""Reasons: why a variant ranks as it does, as message ids with parameters, and as sentences
in the reader's language (`reason_text`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """A word to translate where the reason is shown (a message id)."""

    message: str


@dataclass(frozen=True)
class GoalRef:
    """A goal, shown by its name in the reader's language."""

    slug: str


@dataclass(frozen=True, slots=True)
class Reason:
    """A sentence for a facilitator: an English message id and its parameters."""

    message: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)


Translate = Callable[[str], str]


def reason_text(reason: Reason, translate: Translate, goal_names: Mapping[str, str]) -> str:
    """The reason as a sentence: labels translated, goals by name, lists joined."""
    params = {key: _param(value, translate, goal_names) for key, value in reason.params.items()}
    return translate(reason.message) % params


def _param(value: object, translate: Translate, goal_names: Mapping[str, str]) -> object:
    if isinstance(value, Label):
        return translate(value.message)
    if isinstance(value, GoalRef):
        return goal_names.get(value.slug, value.slug)
    if isinstance(value, tuple):
        return ", ".join(str(_param(item, translate, goal_names)) for item in value)
    return value
