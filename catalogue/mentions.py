"""Pure: the names to erase from texts, and what to erase in one session (erasure's parts in
sessions/erase.py and catalogue/erasure.py use them alike; server/erasure.py composes them)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from catalogue.outcomes.name_matcher import NameMatcher, fold
from server.erasure import ERASED_MENTION, Found, usable

# A word, as catalogue.outcomes.name_matcher splits texts into words.
_WORD = re.compile(r"[^\W_]+")


class Mentions:
    """The names to erase from texts: each as a whole name, however it is written (any case,
    spacing, hyphens, underscores or dots between its words, with or without diacritics, in
    slug form inside a web address). `catalogue.outcomes.name_matcher.NameMatcher` finds them,
    as the sharing gate finds participants' names: erasure and sharing agree on what "the name"
    is."""

    def __init__(self, names: Iterable[str]) -> None:
        kept = sorted(
            {
                " ".join(unicodedata.normalize("NFC", name).split())
                for name in names
                if usable(name)
            },
            key=len,
            reverse=True,
        )
        self.names = tuple(kept)
        self._matcher = NameMatcher(((name, name) for name in kept), parts=False)
        # The first word of each name, folded as the matcher folds it: a text that does not
        # hold one of these (folded) holds no name.
        self._first_words = tuple(
            {fold(words[0]) for words in (_WORD.findall(name) for name in kept) if words}
        )

    def __bool__(self) -> bool:
        return bool(self._matcher)

    def __add__(self, other: Mentions) -> Mentions:
        return Mentions((*self.names, *other.names))

    def maybe_in(self, raw: str | None) -> bool:
        """A quick look at stored JSON: could a name be in it? (False means surely not: never
        False where `replace` would find a name.)"""
        if not raw or not self._matcher:
            return False
        if "\\u" in raw:
            return True  # an escaped character (JSON): it may be part of a name
        folded = fold(raw)
        return any(word in folded for word in self._first_words)

    def replace(self, text: str) -> str:
        """The text with every mention replaced (the same text object when there is none)."""
        if not self._matcher:
            return text
        composed = unicodedata.normalize("NFC", text)
        changed = self._matcher.replace(composed, ERASED_MENTION)
        return changed if changed is not composed else text


NO_MENTIONS = Mentions(())


@dataclass
class Tally:
    names: int = 0
    mentions: int = 0
    contributions: int = 0


@dataclass(frozen=True)
class Scope:
    """What to erase in one session: the person's participant ids and the names to replace."""

    participants: frozenset[str]
    mentions: Mentions
    delete_contributions: bool = False


def scopes(found: Found, delete_contributions: bool) -> Callable[[int | None], Scope]:
    """The scope of each session (None: outside the person's sessions): the names to erase
    everywhere, and in the person's own sessions their ids and every name they had there."""
    everywhere = Mentions(found.everywhere) if found.everywhere else NO_MENTIONS

    def scope(session_id: int | None) -> Scope:
        if session_id is None or session_id not in found.participants:
            return Scope(frozenset(), everywhere)
        return Scope(
            frozenset(found.participants[session_id]),
            everywhere + Mentions(found.session_names[session_id]),
            delete_contributions,
        )

    return scope
