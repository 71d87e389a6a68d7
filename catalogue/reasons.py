"""Reasons and problems as sentences in the reader's language."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from catalogue.matching import GoalRef, Label, Reason

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
