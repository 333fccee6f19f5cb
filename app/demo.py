"""The demo: a shop, its agents with known passwords, served at /demo."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.agents.models import Agent
from app.agents.service import create_agent
from app.common.errors import Conflict
from app.sites.models import Site
from app.sites.service import create_site, site_by_key

DEMO_SITE_KEY = "demo-nordlys"
# `serve --demo` keeps its published passwords out of the real database: unless
# PARLEY_DATABASE_URL is set explicitly, the demo runs on a file of its own.
DEMO_DATABASE_URL = "sqlite+aiosqlite:///./parley-demo.db"
DEMO_SITE_NAME = "Nordlys Cycles"
DEMO_DEPARTMENTS = [
    {"skill": "sales", "label": "Bikes and gear"},
    {"skill": "support", "label": "Repairs and fit"},
    {"skill": "billing", "label": "Billing"},
]
# Each password_hash is its password hashed once (argon2id, the hasher's defaults), so seeding
# hashes nothing; tests/unit/test_demo.py checks that each still verifies its password.
DEMO_AGENTS: list[dict[str, Any]] = [
    {
        "email": "alice@demo.parley",
        "password": "alice-demo",
        "password_hash": (
            "$argon2id$v=19$m=65536,t=3,p=4$DOf4XEqtiJLiQZ5gMjGnSg"
            "$7r6eCT+KWo6OPYNRnc9NO3LBzXRmcHk7QATBRR0KnPw"
        ),
        "name": "Alice Berg",
        "role": "agent",
        "skills": ["sales", "support"],
    },
    {
        "email": "ben@demo.parley",
        "password": "ben-demo",
        "password_hash": (
            "$argon2id$v=19$m=65536,t=3,p=4$1ZOz9/QPrqmyjTthVyS3Yg"
            "$pCOMeSDRbvX04USxkxc9aZK9qqCtNeM+ZFbOkULPVd0"
        ),
        "name": "Ben Okafor",
        "role": "agent",
        "skills": ["support", "billing"],
    },
    {
        "email": "sam@demo.parley",
        "password": "sam-demo",
        "password_hash": (
            "$argon2id$v=19$m=65536,t=3,p=4$Axmzw+ezv1OIIQkYqOYktQ"
            "$6CB1PXVs/QXyE2K2PHmRNRbLGScEeHrTBAiWDL1WqAw"
        ),
        "name": "Sam Lindqvist",
        "role": "supervisor",
        "skills": ["sales", "support", "billing"],
    },
    {
        "email": "admin@demo.parley",
        "password": "admin-demo",
        "password_hash": (
            "$argon2id$v=19$m=65536,t=3,p=4$OsM1QkOFWNq89CQqi0Pvcg"
            "$+nSthnKw5BQRqpZKZuJYaHpXPx2B1FFtYYGHNx97Gkc"
        ),
        "name": "Parley Admin",
        "role": "admin",
        "skills": [],
    },
]


def _avatar(initials: str, color: str) -> str:
    """A small inline SVG portrait, so the demo shows faces without fetching anything."""
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'>"
        f"<rect width='64' height='64' rx='32' fill='{color}'/>"
        "<text x='32' y='41' font-family='sans-serif' font-size='24' fill='white' "
        f"text-anchor='middle'>{initials}</text></svg>"
    )
    return "data:image/svg+xml;utf8," + svg.replace("<", "%3C").replace(">", "%3E").replace(
        "#", "%23"
    )


_COLORS = {
    "Alice Berg": "#b45309",
    "Ben Okafor": "#1d4ed8",
    "Sam Lindqvist": "#7c3aed",
    "Parley Admin": "#334155",
}


async def seed(session: AsyncSession) -> bool:
    """Create the demo site and agents once; returns whether anything was created."""
    existing = await site_by_key(session, DEMO_SITE_KEY)
    if existing is not None:
        # A demo seeded before departments existed gets them once (an admin's [] is kept).
        if "departments" not in (existing.settings or {}):
            existing.settings = {**(existing.settings or {}), "departments": DEMO_DEPARTMENTS}
        return False
    await _refuse_real_data(session)
    site = await create_site(session, DEMO_SITE_NAME, [], site_key=DEMO_SITE_KEY)
    site.greeting = "Hi! Questions about fit, delivery or your order? Ask us."
    # The pre-chat form offers these; each goes to the agents with that skill.
    site.settings = {**(site.settings or {}), "departments": DEMO_DEPARTMENTS}
    for spec in DEMO_AGENTS:
        initials = "".join(part[0] for part in spec["name"].split()[:2])
        agent: Agent = await create_agent(
            session,
            site.id,
            spec["email"],
            spec["name"],
            spec["password"],
            role=spec["role"],
            skills=spec["skills"],
            avatar_url=_avatar(initials, _COLORS[spec["name"]]),
            password_hash=spec["password_hash"],
        )
        del agent
    return True


async def _refuse_real_data(session: AsyncSession) -> None:
    """Demo agents have published passwords: they never join a database with real shops in it."""
    demo_emails = [a["email"] for a in DEMO_AGENTS]
    sites = await session.scalar(
        select(func.count()).select_from(Site).where(Site.site_key != DEMO_SITE_KEY)
    )
    agents = await session.scalar(
        select(func.count()).select_from(Agent).where(Agent.email.not_in(demo_emails))
    )
    if sites or agents:
        raise Conflict(
            f"this database already holds {sites} site(s) and {agents} agent(s) of its own; "
            "the demo's published passwords must not work there. Run the demo on its own "
            "database: unset PARLEY_DATABASE_URL (it then uses ./parley-demo.db) or point it at "
            "an empty one"
        )


def credentials_banner(base_url: str) -> str:
    lines = [f"Parley demo shop: {base_url}/demo", f"Agent console:   {base_url}/console", ""]
    lines += [f"  {a['role']:<10} {a['email']:<22} password: {a['password']}" for a in DEMO_AGENTS]
    return "\n".join(lines)
