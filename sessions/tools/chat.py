"""The chat: plenary, or within a breakout group (read by its members, the facilitators and
the author only). Authors delete their own messages, facilitators any (a name or a hurtful
word typed in haste): a deleted message stays in the list as "deleted", without its text. Not
captured in an outcome: the chat is for the moment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from sessions.tools import base
from sessions.tools.base import Body, Command, Refused, Rule

if TYPE_CHECKING:
    from sessions.tools import State

AGENDA_TOOLS: tuple[base.Tool, ...] = ("chat",)
MAX_CHAT = 5000
# Each participant's share, so one person cannot fill the chat for everyone else.
# Facilitators and co-facilitators have no share.
MAX_CHAT_PER_PERSON = 500


class ChatPosted(Body, tag="chat.posted"):
    message: str
    text: str
    group: str | None
    # Who may read a breakout group's message: its members when it was posted, the facilitators
    # and the author (sorted). None: everyone (plenary chat, and logs from before it).
    to: tuple[str, ...] | None = None


class ChatDeleted(Body, tag="chat.deleted"):
    """A message was deleted: readers keep its place (author, time), not its text."""

    message: str


Events = ChatPosted | ChatDeleted


class PostChat(Command, tag="chat.post"):
    text: base.LongText


class DeleteChat(Command, tag="chat.delete"):
    message: base.Ref


Commands = PostChat | DeleteChat


class ChatMessage(msgspec.Struct):
    author: str | None
    text: str
    at: float
    group: str | None
    to: list[str] | None = None  # who may read it; None: everyone (ChatPosted)
    message: str = ""  # its id (chat.posted's `message`; "" in snapshots from before it)
    deleted: bool = False  # chat.deleted: the text is gone


def chat_readers(state: State, author: str | None, group: str | None) -> tuple[str, ...] | None:
    """Who may read a chat message posted now: a breakout group's message is for the group (as
    it is now), whoever facilitates and its author; None (everyone) for the plenary chat."""
    if group is None:
        return None
    facilitators = {
        pid
        for pid, person in state.people.items()
        if person.role in base.FACILITATORS and not person.removed
    }
    members = state.breakouts.groups.get(group, [])
    return tuple(sorted({*members, *facilitators, *([author] if author else [])}))


def _post_chat(
    state: State, actor: str, cmd: PostChat, now: float, new_id: base.IdMaker
) -> list[Events]:
    if len(state.chat) >= MAX_CHAT:
        raise Refused("too_many", f"a chat holds at most {MAX_CHAT} messages")
    if not base.is_facilitator(state, actor):
        yours = sum(1 for message in state.chat if message.author == actor)
        if yours >= MAX_CHAT_PER_PERSON:
            raise Refused(
                "too_many_yours",
                f"you have posted {MAX_CHAT_PER_PERSON} messages, the most one participant may",
            )
    group = base.group_of(state, actor)
    return [ChatPosted(new_id(), cmd.text, group, chat_readers(state, actor, group))]


def _delete_chat(
    state: State, actor: str, cmd: DeleteChat, now: float, new_id: base.IdMaker
) -> list[Events]:
    found = next((m for m in state.chat if m.message == cmd.message and not m.deleted), None)
    facilitator = base.is_facilitator(state, actor)
    # A message one may not read is, to them, no message at all.
    if found is None or (found.to is not None and actor not in found.to and not facilitator):
        raise Refused("unknown_message", "there is no such message (or it was deleted)")
    if found.author != actor and not facilitator:
        raise Refused("not_your_message", "you can delete only your own messages")
    return [ChatDeleted(cmd.message)]


# The chat stays open after the session has ended, and so does tidying it.
RULES: dict[type[Command], Rule[Events]] = {
    PostChat: Rule(base.EVERYONE, _post_chat, after_end=True),
    DeleteChat: Rule(base.EVERYONE, _delete_chat, after_end=True),
}


def _chat_posted(state: State, event: base.Stamp, body: ChatPosted) -> None:
    # A log from before events named their readers: the same rule, on the state it was posted in.
    to = body.to if body.to is not None else chat_readers(state, event.actor, body.group)
    state.chat.append(
        ChatMessage(
            event.actor, body.text, event.at, body.group, list(to) if to else None, body.message
        )
    )


def _chat_deleted(state: State, event: base.Stamp, body: ChatDeleted) -> None:
    for message in state.chat:
        if message.message == body.message:
            message.text = ""
            message.deleted = True


FOLD: dict[type[Body], base.Fold] = {ChatPosted: _chat_posted, ChatDeleted: _chat_deleted}


def _chat_seen(state: State, actor: str, body: ChatPosted) -> base.Seen | None:
    if body.group is None:
        return None
    # `to` is None in a log from before events named their readers: the same rule, then.
    readers = body.to if body.to is not None else chat_readers(state, actor, body.group)
    return base.Seen("chat", frozenset(readers or ()))


AUDIENCE: dict[type[Body], base.AudienceRule] = {ChatPosted: _chat_seen}


def readers_in(body: ChatPosted) -> frozenset[str]:
    """The readers a logged `chat.posted` names (none: everyone, or a log from before `to`)."""
    return frozenset(body.to or ())


def project(state: State, mine: State, reader: str | None) -> None:
    """The messages a reader may read."""
    mine.chat = [
        message
        for message in mine.chat
        if message.to is None or (reader is not None and reader in message.to)
    ]


FIELDS: dict[type[Any], base.Fields] = {
    ChatPosted: base.Fields(text=("text",), ids=("message", "group", "to")),
    ChatDeleted: base.Fields(ids=("message",)),
}


def capture(state: State) -> dict[str, Any]:
    return {"chat": []}  # not captured: the chat is for the moment
