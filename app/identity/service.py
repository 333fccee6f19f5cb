"""Verified customer identity: the shop signs its customer's id, Parley checks the signature.

The shop's back end computes ``hash`` = hex HMAC-SHA256(identity secret, ``user.id``) and
passes it to ``Parley.setUser``; the widget session checks it in constant time. A verified
``user.id`` is one visitor per site (``visitors.external_id``) in every browser: the browser's
earlier anonymous visitor is merged into it. An unsigned ``user`` is never trusted with an
identity (the hole of Chatwoot issue 9493): at most its name and e-mail fill in an anonymous
visitor's blanks, and a site with ``identity_required`` refuses it outright.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.chat.models import Chat, Message
from app.common.errors import Forbidden
from app.common.uow import UnitOfWork
from app.files.models import Attachment
from app.sites.models import Site
from app.triggers.models import Invitation
from app.visitors.models import PageView, Visitor, VisitorEvent
from app.webhooks import outbox as webhooks

SETTING = "identity_required"


@dataclass(frozen=True, slots=True)
class User:
    """``user`` as the widget sent it."""

    id: str
    email: str | None = None
    name: str | None = None
    hash: str | None = None


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def identity_hash(secret: str, user_id: str) -> str:
    """What the shop's back end computes (docs/crm.md has it in Python, PHP and Node)."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def identity_required(site: Site) -> bool:
    return bool(site.settings.get(SETTING, False))


def verified(site: Site, user: User) -> bool:
    """Whether ``user`` carries a valid hash; a wrong or unverifiable one is refused (403).

    No hash: False (unverified), or 403 when the site requires identity.
    """
    if user.hash is None:
        if identity_required(site):
            raise Forbidden("this site requires a signed user (user.hash)")
        return False
    if site.identity_secret is None:
        raise Forbidden("this site has no identity secret: user.hash cannot be checked")
    expected = identity_hash(site.identity_secret, user.id)
    if not hmac.compare_digest(expected.encode(), user.hash.strip().lower().encode()):
        raise Forbidden("user.hash does not match user.id")
    return True


async def identify(
    uow: UnitOfWork, site: Site, browser: Visitor | None, user: User
) -> tuple[Visitor, bool]:
    """The one visitor of a verified ``user.id``, with ``browser``'s anonymous visitor merged in.

    ``browser`` is the visitor this browser's token named (None for a first visit). A browser
    visitor that is already another customer is left as it is: a shared computer must not mix
    two customers' chats. Also answers whether the visitor was created just now.
    """
    session = uow.session
    known = await _by_external_id(uow, site.id, user.id)
    merged_from: str | None = None
    newly = created = False
    if known is None:
        if browser is not None and browser.external_id is None:
            known, newly = browser, True
            browser.external_id = user.id
            try:
                async with session.begin_nested():
                    await session.flush()
            except IntegrityError:
                # Another browser of the same customer identified first: merge into theirs.
                known = await _by_external_id(uow, site.id, user.id)
                assert known is not None
                newly = False
                browser = await session.get(Visitor, browser.id)
        else:
            known, newly = await _create(uow, site.id, user.id)
            created = newly
    if browser is not None and browser.id != known.id and browser.external_id is None:
        await _merge(uow, browser, known)
        merged_from = browser.id
    if user.name:
        known.name = user.name[:200]
    if user.email:
        known.email = user.email
    await session.flush()
    if newly or merged_from is not None:
        data: dict[str, Any] = {
            "visitor": {
                "id": known.id,
                "external_id": known.external_id,
                "name": known.name,
                "email": known.email,
                "attributes": known.attributes,
            },
            "merged_visitor_id": merged_from,
        }
        webhooks.record(uow, site.id, "visitor.identified", data)
    return known, created


def fill_blanks(visitor: Visitor, user: User) -> None:
    """An unsigned ``user``: only what the visitor could have typed into the pre-chat form."""
    if user.name and not visitor.name:
        visitor.name = user.name[:200]
    if user.email and not visitor.email:
        visitor.email = user.email


async def _by_external_id(uow: UnitOfWork, site_id: str, external_id: str) -> Visitor | None:
    found: Visitor | None = await uow.session.scalar(
        select(Visitor).where(Visitor.site_id == site_id, Visitor.external_id == external_id)
    )
    return found


async def _create(uow: UnitOfWork, site_id: str, external_id: str) -> tuple[Visitor, bool]:
    """A new visitor for the customer, or the one a concurrent session just created."""
    visitor = Visitor(site_id=site_id, external_id=external_id)
    try:
        async with uow.session.begin_nested():
            uow.session.add(visitor)
            await uow.session.flush()
    except IntegrityError:
        found = await _by_external_id(uow, site_id, external_id)
        assert found is not None
        return found, False
    return visitor, True


async def _merge(uow: UnitOfWork, old: Visitor, into: Visitor) -> None:
    """Move everything of ``old`` to ``into`` and delete ``old``."""
    session = uow.session
    moved_chats = select(Chat.id).where(Chat.visitor_id == old.id).scalar_subquery()
    await session.execute(
        update(Message)
        .where(
            Message.chat_id.in_(moved_chats),
            Message.author_type == "visitor",
            Message.author_id == old.id,
        )
        .values(author_id=into.id)
    )
    await session.execute(update(Chat).where(Chat.visitor_id == old.id).values(visitor_id=into.id))
    for table in (PageView, VisitorEvent):
        await session.execute(
            update(table).where(table.visitor_id == old.id).values(visitor_id=into.id)
        )
    await session.execute(
        update(Attachment)
        .where(Attachment.uploader_type == "visitor", Attachment.uploader_id == old.id)
        .values(uploader_id=into.id)
    )
    # One invitation per (visitor, visit number): the ones that would clash stay with ``old``.
    taken = select(Invitation.visit_no).where(Invitation.visitor_id == into.id).scalar_subquery()
    await session.execute(
        update(Invitation)
        .where(Invitation.visitor_id == old.id, Invitation.visit_no.not_in(taken))
        .values(visitor_id=into.id)
    )
    into.visit_count += old.visit_count
    into.first_seen_at = min(into.first_seen_at, old.first_seen_at)
    into.last_seen_at = max(into.last_seen_at, old.last_seen_at)
    into.attributes = {**(old.attributes or {}), **(into.attributes or {})}
    into.name = into.name or old.name
    into.email = into.email or old.email
    await session.flush()
    await session.execute(delete(Visitor).where(Visitor.id == old.id))
