"""REST: erasing and exporting a visitor, the audit log, the retention period (admins;
docs/privacy.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.agents.models import Agent
from app.agents.service import actor_of
from app.chat.access import authorize_visitor
from app.common.errors import NotFound
from app.common.lists import Page
from app.privacy import export, retention, service
from app.privacy.schemas import AuditEntryOut, Retention, RetentionIn, VisitorExport
from app.privacy.service import Who
from app.sites.models import Site
from app.visitors.models import Visitor
from app.web.deps import AdminAgent, StateDep, api_token_of
from app.web.errors import ERRORS

router = APIRouter(prefix="/api/v1", tags=["privacy"], responses=ERRORS)


def _who(request: Request, admin: Agent) -> Who:
    """The person or API token acting, as the audit log names them."""
    token = api_token_of(request)
    if token is not None:
        return Who(type="api_token", id=token.id, name=token.name)
    return Who(type="agent", id=admin.id, name=admin.name)


@router.delete("/visitors/{visitor_id}", response_model=AuditEntryOut)
async def erase_visitor(
    visitor_id: str, request: Request, admin: AdminAgent, state: StateDep
) -> AuditEntryOut:
    """Erase the visitor and everything of theirs; answers the audit entry (counts per kind).
    Their files are deleted once the erasure has committed."""
    async with state.uow() as uow:
        visitor = authorize_visitor(actor_of(admin), await uow.session.get(Visitor, visitor_id))
        entry, keys = await service.erase_visitor(
            uow, _who(request, admin), admin.site_id, visitor, state.routing_policy()
        )
        answer = AuditEntryOut.of(entry)
    await service.delete_files(state.storage(), keys)
    return answer


@router.get("/visitors/{visitor_id}/export", response_model=VisitorExport)
async def export_visitor(
    visitor_id: str, request: Request, admin: AdminAgent, state: StateDep
) -> VisitorExport:
    """Everything held about the visitor, as JSON; the export is recorded in the audit log."""
    async with state.uow() as uow:
        visitor = authorize_visitor(actor_of(admin), await uow.session.get(Visitor, visitor_id))
        found = await export.export_visitor(uow, visitor)
        counts = {
            "chats": len(found.chats),
            "messages": sum(len(c.messages) for c in found.chats),
            "page_views": len(found.page_views),
            "visitor_events": len(found.events),
            "invitations": len(found.invitations),
            "attachments": len(found.uploads),
            "mails": len(found.mails),
        }
        service.record(
            uow,
            _who(request, admin),
            admin.site_id,
            "visitor.exported",
            visitor.id,
            {k: v for k, v in counts.items() if v},
        )
    return found


@router.get("/audit-log", response_model=Page[AuditEntryOut])
async def audit_log(
    admin: AdminAgent,
    state: StateDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[AuditEntryOut]:
    """Erasures, exports and retention runs of the site, newest first."""
    async with state.uow() as uow:
        rows, next_cursor = await service.entries(uow, admin.site_id, cursor, limit)
        return Page(items=[AuditEntryOut.of(e) for e in rows], next_cursor=next_cursor)


@router.get("/privacy/retention", response_model=Retention)
async def get_retention(admin: AdminAgent, state: StateDep) -> Retention:
    async with state.uow() as uow:
        site = await uow.session.get(Site, admin.site_id)
        if site is None:
            raise NotFound("no such site")
        return Retention(days=retention.retention_days(site))


@router.put("/privacy/retention", response_model=Retention)
async def set_retention(
    body: RetentionIn, request: Request, admin: AdminAgent, state: StateDep
) -> Retention:
    """Closed chats older than ``days`` are deleted from now on (null: kept); audited."""
    async with state.uow() as uow:
        site = await uow.session.get(Site, admin.site_id)
        if site is None:
            raise NotFound("no such site")
        retention.set_retention(site, body.days)
        service.record(
            uow,
            _who(request, admin),
            site.id,
            "retention.changed",
            None,
            {"days": body.days} if body.days else {},
        )
        await retention.run_soon(uow)
        return Retention(days=body.days)
