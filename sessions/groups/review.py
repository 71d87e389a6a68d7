"""Actions that come back: a group's actions, their status, and the terugblik that opens the
group's next session (the live tool is sessions/tools/review.py).

- `open_actions`: the group's actions not done, with their owner's name and current date;
- `review_opening`: the event that loads them into a new session (or nothing when none is open);
- `member_linked`: the event that tells a session which member a participant is;
- `with_review_phase`: an agenda with a terugblik phase, the script's own or a default first;
- `replace_session_actions`: the actions a session's outcome agreed, saved for the group.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from sessions import events as ev
from sessions.groups.action_status import Change, Kind, statuses
from sessions.groups.models import GroupAction, GroupMember, GroupSession
from sessions.models import SessionEvent

# The events that change an action's status (the review slice's), read by type only.
CHANGE_TYPES: dict[str, Kind] = {"action.done": "done", "action.carried": "carried"}
MAX_ACTION_TEXT = 500
MAX_ACTIONS = 30

# The default terugblik phase, first in a group session's agenda when the script has none.
# Dutch, as the catalogue's scripts are (they are content, not interface).
REVIEW_PHASE = ev.AgendaPhase(
    name="Terugblik",
    minutes=10,
    tool="review",
    purpose="Terugkijken op de afspraken van de vorige keer.",
    instructions=(
        "Loop de open acties samen langs. Is een actie gedaan? Zet hem op gedaan. "
        "Nog niet? Neem hem mee naar de volgende keer, eventueel met een nieuwe datum."
    ),
)


@dataclass(frozen=True)
class ActionRow:
    """An action as typed in the compose form, checked: its owner a member id or None."""

    text: str
    owner: str | None
    due: dt.date | None


@dataclass(frozen=True)
class OpenAction:
    public_id: str
    text: str
    owner: str | None
    owner_name: str | None
    due: dt.date | None
    carried: bool


def new_action_id() -> str:
    return "a" + secrets.token_urlsafe(9)


async def changes(db: AsyncSession, group_id: int) -> list[Change]:
    """The status changes logged in the group's sessions, read by their event types only."""
    rows = await db.execute(
        select(SessionEvent.session_id, SessionEvent.seq, SessionEvent.body)
        .join(GroupSession, GroupSession.session_id == SessionEvent.session_id)
        .where(GroupSession.group_id == group_id, SessionEvent.type.in_(tuple(CHANGE_TYPES)))
        .order_by(SessionEvent.session_id, SessionEvent.seq)
    )
    found = []
    for session_id, seq, raw in rows:
        body = ev.body_decoder.decode(raw)
        if isinstance(body, ev.ActionDone):
            found.append(Change(session_id, seq, body.action, "done"))
        elif isinstance(body, ev.ActionCarried):
            due = dt.date.fromisoformat(body.due) if body.due is not None else None
            found.append(Change(session_id, seq, body.action, "carried", due))
    return found


async def open_actions(db: AsyncSession, group_id: int) -> list[OpenAction]:
    """The group's actions not done, oldest session first, in each in the order agreed."""
    status = statuses(await changes(db, group_id))
    rows = await db.execute(
        select(GroupAction, GroupMember.name)
        .outerjoin(GroupMember, GroupMember.member_id == GroupAction.owner)
        .where(GroupAction.group_id == group_id)
        .order_by(GroupAction.created_at, GroupAction.position, GroupAction.id)
    )
    found = []
    for action, name in rows:
        now = status.get(action.public_id)
        if now is not None and now.done:
            continue
        due = now.due if now is not None and now.due is not None else action.due
        carried = now is not None and now.carried
        found.append(OpenAction(action.public_id, action.text, action.owner, name, due, carried))
    return found


async def review_opening(db: AsyncSession, group_id: int) -> list[ev.EventBody]:
    """The event that loads the group's open actions into its new session; [] when none is."""
    actions = await open_actions(db, group_id)
    if not actions:
        return []
    return [
        ev.ReviewOpened(
            tuple(
                ev.ReviewItem(
                    a.public_id,
                    a.text,
                    a.owner,
                    a.owner_name,
                    a.due.isoformat() if a.due is not None else None,
                )
                for a in actions
            )
        )
    ]


def member_linked(participant: str, member_id: str) -> ev.EventBody:
    """The event that makes a session's participant this member (who may change their actions)."""
    return ev.MemberLinked(participant, member_id)


def with_review_phase(phases: Sequence[ev.AgendaPhase]) -> tuple[ev.AgendaPhase, ...]:
    """The agenda with a terugblik: as it is when a phase already uses the review tool (the
    script's own), else with the default terugblik phase first."""
    if any(phase.tool == "review" for phase in phases):
        return tuple(phases)
    return (REVIEW_PHASE, *phases)


async def session_actions(db: AsyncSession, session_id: int) -> list[GroupAction]:
    rows = await db.scalars(
        select(GroupAction)
        .where(GroupAction.session_id == session_id)
        .order_by(GroupAction.position, GroupAction.id)
    )
    return list(rows)


async def replace_session_actions(
    db: AsyncSession, group_id: int, session_id: int, rows: Sequence[ActionRow]
) -> None:
    """This session's actions become `rows` (checked by the caller; the caller commits).

    An unchanged row keeps its id, so that a change already logged for it still counts."""
    before = await session_actions(db, session_id)
    kept: dict[tuple[str, str | None, dt.date | None], GroupAction] = {}
    for action in before:
        kept.setdefault((action.text, action.owner, action.due), action)
    await db.execute(
        delete(GroupAction).where(
            GroupAction.session_id == session_id,
            GroupAction.id.not_in([a.id for a in kept.values()] or [0]),
        )
    )
    reused: set[int] = set()
    for position, row in enumerate(rows):
        same = kept.get((row.text, row.owner, row.due))
        if same is not None and same.id not in reused:
            reused.add(same.id)
            same.position = position
            continue
        db.add(
            GroupAction(
                public_id=new_action_id(),
                group_id=group_id,
                session_id=session_id,
                position=position,
                text=row.text,
                owner=row.owner,
                due=row.due,
            )
        )
    for action in kept.values():
        if action.id not in reused:
            await db.delete(action)
