"""``parley serve | create-agent | create-site | migrate``."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app import demo, migrate
from app.agents.service import ROLES, create_agent
from app.common.errors import DomainError
from app.config import Settings
from app.db import make_engine, make_session_factory
from app.sites.service import create_site, first_site

T = TypeVar("T")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="parley", description="Parley live chat server")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run migrations and serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="create and serve the demo shop")

    sub.add_parser("migrate", help="bring the database schema up to date")

    agent = sub.add_parser("create-agent", help="create an agent and print its id as JSON")
    agent.add_argument("--email", required=True)
    agent.add_argument("--name", required=True)
    agent.add_argument("--password", required=True)
    agent.add_argument("--role", choices=ROLES, default="agent")
    agent.add_argument("--skills", default="")
    agent.add_argument("--max-chats", type=int, default=3)
    agent.add_argument("--site", help="site id (default: the first site)")

    site = sub.add_parser("create-site", help="create a site and print its id and key as JSON")
    site.add_argument("--name", required=True)
    site.add_argument("--origin", action="append", default=[])

    args = parser.parse_args(argv)
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        migrate.upgrade(settings.database_url)
        if args.command == "serve":
            return _serve(settings, args)
        if args.command == "migrate":
            print(json.dumps({"migrated": True}))
        elif args.command == "create-agent":
            print(json.dumps(_run(settings, lambda s: _create_agent(s, args))))
        elif args.command == "create-site":
            print(json.dumps(_run(settings, lambda s: _create_site(s, args))))
    except DomainError as exc:
        print(f"parley: {exc.message}", file=sys.stderr)
        return 1
    return 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    if args.demo:
        settings = settings.model_copy(update={"demo": True})
        _run(settings, demo.seed)
        print(demo.credentials_banner(f"http://{args.host}:{args.port}"), flush=True)
    from app.main import create_app
    from app.web.server import serve

    serve(create_app(settings), args.host, args.port, settings.log_level)
    return 0


def _run(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """One transaction against the configured database, for the commands."""

    async def go() -> T:
        engine = make_engine(settings.database_url)
        try:
            async with make_session_factory(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(go())


async def _create_agent(session: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    site_id = args.site
    if site_id is None:
        site = await first_site(session) or await create_site(session, "Default site", [])
        site_id = site.id
    agent = await create_agent(
        session,
        site_id,
        args.email,
        args.name,
        args.password,
        role=args.role,
        skills=[s for s in args.skills.split(",") if s],
        max_chats=args.max_chats,
    )
    return {"id": agent.id, "site_id": site_id}


async def _create_site(session: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    site = await create_site(session, args.name, args.origin)
    return {"id": site.id, "site_key": site.site_key}


if __name__ == "__main__":
    sys.exit(main())
