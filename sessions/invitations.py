"""Invitations to a planned session: the mail with the join link and a calendar invitation,
sent again when the plan changes (a higher SEQUENCE) or is removed (a cancellation).

Every mail is queued in the transaction that changes the plan or records the invitation
(server/mail/outbox.py): the plan changes and its mails go out together, or neither. A mail
names the session and its time, never a participant.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.formatting import format_period
from server.i18n import N_
from server.mail import outbox
from server.mail.render import Message, render
from server.models import User, UserRole
from sessions import calendar
from sessions.models import LiveSession, SessionInvitation
from sessions.planning import Plan

Kind = Literal["new", "changed", "cancelled"]
SUBJECTS: dict[Kind, str] = {
    "new": N_("Invitation for a Werkplaats session"),
    "changed": N_("Changed: a Werkplaats session"),
    "cancelled": N_("Cancelled: a Werkplaats session"),
}
INVITABLE_ROLES = ("facilitator", "educator", "coordinator")
MAX_AT_ONCE = 50


class InvitationRefused(Exception):
    """Nobody was invited; `message` is an English msgid that says why."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


async def invitable(db: async_sessionmaker[AsyncSession], but: int) -> list[User]:
    """Active accounts with a role that can be invited (not `but`, who invites), by name."""
    async with db() as session:
        return list(
            await session.scalars(
                select(User)
                .where(
                    User.is_active.is_(True),
                    User.id != but,
                    User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(INVITABLE_ROLES))),
                )
                .order_by(User.name, User.id)
            )
        )


async def invited(db: async_sessionmaker[AsyncSession], session_id: int) -> list[User]:
    """The accounts invited to a session, by name."""
    async with db() as session:
        return list(
            await session.scalars(
                select(User)
                .join(SessionInvitation, SessionInvitation.user_id == User.id)
                .where(SessionInvitation.session_id == session_id)
                .order_by(User.name, User.id)
            )
        )


async def invite(
    db: async_sessionmaker[AsyncSession],
    session_id: int,
    user_ids: Sequence[int],
    join_url: str,
    mail_from: str,
    language: str,
    inviter: int,
) -> int:
    """Invite these accounts (an invited one again: a new mail); how many were mailed."""
    if not user_ids:
        raise InvitationRefused(N_("Choose at least one person to invite."))
    if len(user_ids) > MAX_AT_ONCE:
        raise InvitationRefused(N_("Invite at most %(max)s people at once."), max=MAX_AT_ONCE)
    allowed = {user.id: user for user in await invitable(db, but=inviter)}
    if any(user_id not in allowed for user_id in user_ids):
        raise InvitationRefused(
            N_("Only active facilitators, educators and coordinators can be invited.")
        )
    async with db() as session:
        row = await session.get(LiveSession, session_id, with_for_update=True)
        if row is None or row.planned_start is None or row.planned_end is None:
            raise InvitationRefused(
                N_("Plan the session first: an invitation says when it takes place.")
            )
        already = set(
            await session.scalars(
                select(SessionInvitation.user_id).where(SessionInvitation.session_id == session_id)
            )
        )
        plan = Plan(row.planned_start, row.planned_end)
        for user_id in dict.fromkeys(user_ids):
            if user_id not in already:
                session.add(SessionInvitation(session_id=session_id, user_id=user_id))
            outbox.queue(
                session,
                _mail(
                    row,
                    plan,
                    allowed[user_id].email,
                    "new",
                    join_url,
                    mail_from,
                    allowed[user_id].mail_language(language),
                ),
            )
        await session.commit()
    return len(dict.fromkeys(user_ids))


async def change_plan(
    db: async_sessionmaker[AsyncSession],
    session_id: int,
    plan: Plan | None,
    join_url: str,
    mail_from: str,
    language: str,
) -> None:
    """Set (or remove: None) the session's plan; mail each invited account the change."""
    async with db() as session:
        row = await session.get(LiveSession, session_id, with_for_update=True)
        if row is None:
            return
        before = (
            Plan(row.planned_start, row.planned_end)
            if row.planned_start is not None and row.planned_end is not None
            else None
        )
        if before == plan:
            return
        row.planned_start = plan.start if plan is not None else None
        row.planned_end = plan.end if plan is not None else None
        row.plan_sequence += 1
        invitees = (
            await session.execute(
                select(User.email, User.language)
                .join(SessionInvitation, SessionInvitation.user_id == User.id)
                .where(SessionInvitation.session_id == session_id, User.is_active.is_(True))
            )
        ).all()
        for email, own in invitees:
            # Each in the account's own language; else the given one.
            if plan is not None:
                kind: Kind = "changed" if before is not None else "new"
                message = _mail(row, plan, email, kind, join_url, mail_from, own or language)
            else:
                assert before is not None
                message = _mail(
                    row, before, email, "cancelled", join_url, mail_from, own or language
                )
            outbox.queue(session, message)
        await session.commit()


def domain_of(mail_from: str) -> str:
    """The domain of the site's sender address: the UIDs' right-hand side."""
    return mail_from.rpartition("@")[2] or "werkplaats"


def planned(
    row: LiveSession, plan: Plan, join_url: str, cancelled: bool = False
) -> calendar.Planned:
    """A session and its plan as a calendar event."""
    return calendar.Planned(
        row.public_id, row.title, plan.start, plan.end, row.plan_sequence, join_url, cancelled
    )


def _mail(
    row: LiveSession,
    plan: Plan,
    to: str,
    kind: Kind,
    join_url: str,
    mail_from: str,
    language: str,
) -> Message:
    cancelled = kind == "cancelled"
    method: calendar.Method = "CANCEL" if cancelled else "REQUEST"
    ics = calendar.invitation(
        planned(row, plan, join_url, cancelled), method, mail_from, to, domain_of(mail_from)
    )
    message = render(
        "session_invitation",
        to=to,
        subject=SUBJECTS[kind],
        language=language,
        context={
            "kind": kind,
            "title": row.title,
            "when": format_period(plan.start, plan.end, language),
            "join_url": join_url,
        },
    )
    return dataclasses.replace(message, calendar=ics, calendar_method=method)
