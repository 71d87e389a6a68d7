"""Demo accounts, one per role, so a fresh clone can be tried at once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts import create_user
from server.models import Role, User

DEMO_PASSWORD = "werkplaats-demo"  # noqa: S105 (published on purpose: demo only)
DEMO_ACCOUNTS = (
    ("coordinator@werkplaats.example", "Carla Coördinator", Role.COORDINATOR),
    ("facilitator@werkplaats.example", "Fatima Facilitator", Role.FACILITATOR),
    ("educator@werkplaats.example", "Erik Educator", Role.EDUCATOR),
)


async def ensure_demo_accounts(db: AsyncSession) -> list[str]:
    """Create the demo accounts that do not exist yet; returns a line per account."""
    lines = []
    for email, name, role in DEMO_ACCOUNTS:
        existing = await db.scalar(select(User.id).where(User.email == email))
        if existing is None:
            await create_user(db, email=email, name=name, password=DEMO_PASSWORD, roles=[role])
        line = f"{role.value:<12} {email}  password: {DEMO_PASSWORD}"
        if role is Role.COORDINATOR:  # docs/accounts.md: required for coordinators
            line += "  (then two-step verification: have an authenticator app at hand)"
        lines.append(line)
    return lines
