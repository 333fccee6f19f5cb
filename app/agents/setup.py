"""Setting up a shop without a command line: a new site with its first admin, and the first
admin of a fresh install (the first-run page), which is created once and never again."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.agents.models import Agent
from app.agents.service import create_agent
from app.common.enums import Role
from app.common.errors import Conflict
from app.common.uow import UnitOfWork, UowFactory
from app.instance.models import InstanceSecret
from app.sites.models import Site
from app.sites.service import create_site, first_site

# The row whose primary key lets exactly one first-run request win, on every process.
FIRST_ADMIN_MARK = "first_admin_created"
ALREADY = "this install is set up already: sign in, or ask an admin for an account"


async def create_shop(
    uow: UnitOfWork,
    name: str,
    origins: list[str],
    admin_email: str,
    admin_name: str,
    admin_password: str,
) -> tuple[Site, Agent]:
    """A new site and its own first admin, in one transaction: a site nobody can administer
    is never left behind, and no admin of another site gains a say over it."""
    site = await create_site(uow.session, name, origins)
    admin = await create_agent(
        uow.session, site.id, admin_email, admin_name, admin_password, role=Role.ADMIN
    )
    return site, admin


async def setup_needed(uow: UnitOfWork) -> bool:
    """True only on a fresh install: no agent exists and the first-run page was never used."""
    agents = await uow.session.scalar(select(func.count()).select_from(Agent))
    marked = await uow.session.get(InstanceSecret, FIRST_ADMIN_MARK)
    return not agents and marked is None


async def first_admin(
    uows: UowFactory, site_name: str, email: str, name: str, password: str
) -> Agent:
    """The install's first admin (and its first site, unless one exists), created once.

    Two requests racing (on one process or many) both insert the same marker row; the
    database lets one commit and refuses the other, which is answered as a conflict.
    """
    try:
        async with uows() as uow:
            if not await setup_needed(uow):
                raise Conflict(ALREADY)
            uow.session.add(InstanceSecret(name=FIRST_ADMIN_MARK, value="1"))
            await uow.session.flush()
            site = await first_site(uow.session) or await create_site(uow.session, site_name, [])
            agent = await create_agent(uow.session, site.id, email, name, password, role=Role.ADMIN)
    except IntegrityError:
        raise Conflict(ALREADY) from None
    return agent
