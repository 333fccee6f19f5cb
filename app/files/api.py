"""REST: uploading files (widget and console) and reading them back with access checks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.agents.models import Agent
from app.common.actor import Actor
from app.common.errors import TooLarge, Unauthorized
from app.common.tokens import verify
from app.files import service
from app.files.sniff import IMAGES
from app.files.storage import Storage, local_storage
from app.state import AppState
from app.visitors.models import Visitor
from app.web.deps import StateDep

router = APIRouter(prefix="/api/v1", tags=["uploads"])
_bearer = HTTPBearer(auto_error=False)
# Multipart framing around the file; a request larger than the limit plus this is refused
# before its body is read.
_ENVELOPE = 64 * 1024


def storage_of(state: AppState) -> Storage:
    return local_storage(state.settings.upload_dir)


async def optional_actor(
    request: Request,
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor | None:
    """An agent or a visitor, from the bearer token or (for <img src>) a ``token`` parameter."""
    token = credentials.credentials if credentials else request.query_params.get("token")
    if not token:
        return None
    secret = state.settings.secret_key
    async with state.sessions() as session:
        claims = verify(secret, token, "agent")
        if claims is not None:
            agent = await session.get(Agent, claims.subject)
            if agent is not None:
                return Actor(type="agent", id=agent.id, site_id=agent.site_id, role=agent.role)
        claims = verify(secret, token, "visitor")
        if claims is not None:
            visitor = await session.get(Visitor, claims.subject)
            if visitor is not None:
                return Actor(type="visitor", id=visitor.id, site_id=visitor.site_id)
    raise Unauthorized("invalid or expired token")


OptionalActor = Annotated[Actor | None, Depends(optional_actor)]


@router.post("/uploads", status_code=201)
async def upload(
    request: Request, file: UploadFile, state: StateDep, actor: OptionalActor
) -> dict[str, Any]:
    if actor is None:
        raise Unauthorized("missing bearer token")
    if actor.type == "visitor":
        await state.limiter.hit("visitor_upload", actor.id)
    limit = state.settings.max_upload_bytes
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit + _ENVELOPE or (file.size is not None and file.size > limit):
        raise TooLarge(f"files may be at most {limit // (1024 * 1024)} MB")
    data = await file.read(limit + 1)
    async with state.uow() as uow:
        attachment = await service.store(uow, storage_of(state), actor, file.filename, data, limit)
        return service.attachment_view(attachment)


@router.get("/uploads/{attachment_id}")
async def download(attachment_id: str, state: StateDep, actor: OptionalActor) -> Response:
    async with state.uow() as uow:
        attachment = await service.readable(uow, actor, attachment_id)
    data = await storage_of(state).load(attachment.storage_key)
    disposition = "inline" if attachment.content_type in IMAGES else "attachment"
    return Response(
        data,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{attachment.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "public, max-age=86400" if attachment.public else "private",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
