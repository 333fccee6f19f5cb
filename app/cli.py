"""``parley serve | migrate | create-site | list-sites | create-agent``."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app import demo, migrate
from app.agents.service import ROLES, create_agent
from app.common.errors import DomainError, NotFound
from app.config import Settings
from app.db import make_engine, make_session_factory
from app.sites.models import Site
from app.sites.service import all_sites, create_site, first_site

T = TypeVar("T")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="parley", description="Parley live chat server")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run migrations and serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--demo",
        action="store_true",
        help="serve the demo shop (in ./parley-demo.db unless PARLEY_DATABASE_URL is set)",
    )

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

    sub.add_parser("list-sites", help="print every site's id, name and key as JSON")

    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "PARLEY_" + "_".join(str(part) for part in error["loc"]).upper()
            print(f"parley: {name}: {error['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command == "serve":
            return _serve(settings, args)
        migrate.upgrade(settings.database_url)
        if args.command == "migrate":
            print(json.dumps({"migrated": True}))
        elif args.command == "create-agent":
            print(json.dumps(_run(settings, lambda s: _create_agent(s, args))))
        elif args.command == "create-site":
            print(json.dumps(_run(settings, lambda s: _create_site(s, args))))
        elif args.command == "list-sites":
            print(json.dumps(_run(settings, _list_sites)))
    except DomainError as exc:
        print(f"parley: {exc.message}", file=sys.stderr)
        return 1
    return 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from app.web.server import PortUnavailable, bind, serve

    if args.demo:
        update: dict[str, Any] = {"demo": True}
        if "database_url" not in settings.model_fields_set:
            update["database_url"] = demo.DEMO_DATABASE_URL
        settings = settings.model_copy(update=update)
    try:
        sock = bind(args.host, args.port)  # before anything else: a busy port fails at once
    except PortUnavailable as exc:
        print(f"parley: {exc}", file=sys.stderr)
        return 1
    migrate.upgrade(settings.database_url)
    if args.demo:
        _run(settings, demo.seed)
    base_url = _base_url(args.host, sock.getsockname()[1])
    if not settings.public_url:  # links in e-mails point here unless told otherwise
        settings = settings.model_copy(update={"public_url": base_url})
    if args.demo:
        ready = demo.credentials_banner(base_url)
    else:
        ready = f"Parley is serving on {base_url} (agent console: {base_url}/console)"
    from app.main import create_app

    serve(
        create_app(settings),
        sock,
        settings.log_level,
        lambda: print(ready, flush=True),
        settings.trusted_proxy_list,
    )
    return 0


def _base_url(host: str, port: int) -> str:
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


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
    elif await session.get(Site, site_id) is None:
        raise NotFound(f"there is no site with id {site_id!r}; `parley list-sites` shows them")
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


async def _list_sites(session: AsyncSession) -> list[dict[str, Any]]:
    return [{"id": s.id, "name": s.name, "site_key": s.site_key} for s in await all_sites(session)]


if __name__ == "__main__":
    sys.exit(main())
