"""Find known names in a text, however they are written: any case, any spacing, hyphens,
underscores, dots, diacritics or not, and in slug form inside web addresses.

Pure and linear: the text is split into words once; each word is looked up in a dictionary of
the names' first words, and only the (few) names starting with it are compared word by word.
Nothing is built from the names as a regular expression, so no name (however short, however
common) can make matching slow (issue 14: a participant called "de" hung the library).

Used by the sharing gate (catalogue/outcomes/gate.py: the session's participants become their
pseudonyms) and by erasure (catalogue/mentions.py: an erased name becomes "[naam verwijderd]").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from importlib import resources

# A word: letters only (slugs join words with underscores, web addresses with "%20"; names
# have no digits).
_WORD = re.compile(r"[^\W\d_]+")
# What may stand between two words of one name: white space, hyphens, underscores, dots,
# a plus or an encoded space (web addresses), nothing else.
_SEPARATOR = re.compile(r"(?:[\s\-_.+]|%20)+")
# Parts of names that are words too (tussenvoegsels): never matched on their own.
PARTICLES = frozenset(
    {
        "van", "von", "der", "den", "de", "het", "ter", "ten", "te", "op", "in", "la", "le",
        "el", "al", "da", "di", "du", "des", "del", "vd", "v", "d", "t", "s", "aan", "bij", "uit",
    }
)  # fmt: skip
MIN_PART = 2  # a shorter part (an initial) is no name on its own


def fold(word: str) -> str:
    """A word for comparing: case folded, without diacritics ("Zoë" and "zoe" are one)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.cache
def common_words() -> frozenset[str]:
    """Dutch words that are also names ("Roos", "Bas", "Wil", "Mark"): a name part that is one
    of these is matched on its own only where it is written with a capital. deduce's own
    whitelist of common and stop words (plain text files; reading them needs no lookup build)."""
    words: set[str] = set(PARTICLES)
    try:
        root = resources.files("deduce").joinpath("data/lookup/src/whitelist")
        for part in ("lst_common_word", "lst_stop_word"):
            text = root.joinpath(part, "items.txt").read_text(encoding="utf-8")
            words.update(fold(line.strip()) for line in text.splitlines() if line.strip())
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - deduce is required
        pass
    return frozenset(words)


@dataclass(frozen=True)
class Match:
    """Where a name was found: text[start:end], and whose name it is."""

    start: int
    end: int
    key: Hashable


@dataclass(frozen=True)
class _Pattern:
    words: tuple[str, ...]  # folded
    key: Hashable
    capital_only: bool  # a common word alone: only where written with a capital


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    folded: str
    capital: bool


class NameMatcher:
    """Finds whole names (every word, in order) and, with `parts`, also each part of a name on
    its own (a first name, a surname; not a tussenvoegsel or an initial).

    `names`: (key, name) pairs; the key comes back with each match (say a participant id).
    """

    def __init__(self, names: Iterable[tuple[Hashable, str]], parts: bool = False) -> None:
        common = common_words() if parts else frozenset()
        patterns: dict[tuple[str, ...], _Pattern] = {}
        for key, name in names:
            words = tuple(fold(w) for w in _WORD.findall(str(name)))
            if not words or len("".join(words)) < MIN_PART:
                continue
            if all(w in PARTICLES for w in words):
                continue  # "de", "van der": a name only of particles would shred any text
            whole = _Pattern(words, key, capital_only=parts and all(w in common for w in words))
            patterns.setdefault(words, whole)
            if not parts:
                continue
            for word in words:
                if len(word) < MIN_PART or word in PARTICLES:
                    continue
                patterns.setdefault((word,), _Pattern((word,), key, word in common))
        self._by_first: dict[str, list[_Pattern]] = {}
        for pattern in sorted(patterns.values(), key=lambda p: -len(p.words)):
            self._by_first.setdefault(pattern.words[0], []).append(pattern)

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def find(self, text: str) -> list[Match]:
        """Every match, left to right, none overlapping (the longest name wins)."""
        if not self._by_first or not text:
            return []
        words = [
            _Word(m.start(), m.end(), fold(m.group()), m.group()[0].isupper())
            for m in _WORD.finditer(text)
        ]
        found: list[Match] = []
        i = 0
        while i < len(words):
            length = 0
            for pattern in self._by_first.get(words[i].folded, ()):
                if self._matches(text, words, i, pattern):
                    length = len(pattern.words)
                    found.append(Match(words[i].start, words[i + length - 1].end, pattern.key))
                    break
            i += max(length, 1)
        return found

    @staticmethod
    def _matches(text: str, words: list[_Word], i: int, pattern: _Pattern) -> bool:
        n = len(pattern.words)
        if i + n > len(words):
            return False
        for offset in range(n):
            word = words[i + offset]
            if word.folded != pattern.words[offset]:
                return False
            if offset and not _SEPARATOR.fullmatch(text, words[i + offset - 1].end, word.start):
                return False
        return not pattern.capital_only or words[i].capital

    def replace(self, text: str, replacement: str) -> str:
        """The text with every match replaced by `replacement` (the same object if none)."""
        matches = self.find(text)
        if not matches:
            return text
        out, last = [], 0
        for match in matches:
            out.append(text[last : match.start])
            out.append(replacement)
            last = match.end
        out.append(text[last:])
        return "".join(out)
