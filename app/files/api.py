"""REST: uploading files (widget and console) and reading them back with access checks."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.agents import service as agents
from app.chat import attachments
from app.common.actor import Actor
from app.common.errors import TooLarge, Unauthorized
from app.common.tokens import TokenClaims, issue, verify
from app.files import service
from app.files.rest_schemas import FILE_BYTES, SignedLink
from app.files.schemas import AttachmentOut
from app.files.sniff import IMAGES
from app.visitors.models import Visitor
from app.web.deps import StateDep
from app.web.errors import ERRORS, ERRORS_BESIDE_A_FILE
from app.web.limits import hit_for_site

router = APIRouter(prefix="/api/v1", tags=["uploads"], responses=ERRORS)
# Long enough to load a chat's images and click a file, short enough that a link copied out
# of the page (or left in a history) soon opens nothing.
LINK_TTL_S = 300


def _signed_for(secret: str, sig: str, attachment_id: str) -> bool:
    claims = verify(secret, sig, "download")
    return claims is not None and claims.subject == attachment_id


def content_disposition(disposition: str, filename: str) -> str:
    """RFC 6266: an ASCII fallback name, and the real one (any script) as UTF-8 ``filename*``;
    a header must be Latin-1, so a name in Greek or Chinese used to fail every download."""
    fallback = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


_bearer = HTTPBearer(auto_error=False)
# Multipart framing around the file; a request larger than the limit plus this is refused
# before its body is read.
_ENVELOPE = 64 * 1024


async def optional_actor(
    request: Request,
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor | None:
    """An agent or a visitor, from the bearer token (or the contract's older ``token``
    parameter, which Parley's own clients no longer use: links are signed instead)."""
    token = credentials.credentials if credentials else request.query_params.get("token")
    if not token:
        return None
    secret = state.settings.secret_key
    async with state.sessions() as session:
        agent = await agents.agent_for_token(session, secret, token)
        if agent is not None:
            return agents.actor_of(agent)
        claims = verify(secret, token, "visitor")
        if claims is not None:
            visitor = await session.get(Visitor, claims.subject)
            if visitor is not None:
                return Actor(side="visitor", id=visitor.id, site_id=visitor.site_id)
    raise Unauthorized("invalid or expired token")


OptionalActor = Annotated[Actor | None, Depends(optional_actor)]


@router.post("/uploads", status_code=201)
async def upload(
    request: Request, file: UploadFile, state: StateDep, actor: OptionalActor
) -> AttachmentOut:
    if actor is None:
        raise Unauthorized("missing bearer token")
    if actor.side == "visitor":
        await hit_for_site(state, "visitor_upload", actor.site_id, actor.id)
    limit = state.settings.max_upload_bytes
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit + _ENVELOPE or (file.size is not None and file.size > limit):
        raise TooLarge(f"files may be at most {limit // (1024 * 1024)} MB")
    data = await file.read(limit + 1)
    async with state.uow() as uow:
        attachment = await service.store(uow, state.storage(), actor, file.filename, data, limit)
        return AttachmentOut.of(attachment)


@router.post("/uploads/{attachment_id}/link")
async def signed_link(attachment_id: str, state: StateDep, actor: OptionalActor) -> SignedLink:
    """A link that opens the file for a few minutes without a token: for ``<img src>`` and
    downloads in a browser, where no Authorization header can be sent."""
    async with state.uow() as uow:
        attachment = await attachments.readable(uow, actor, attachment_id)
    ttl = LINK_TTL_S
    sig = issue(
        state.settings.secret_key,
        TokenClaims(subject=attachment.id, site_id=attachment.site_id, type="download"),
        ttl,
    )
    return SignedLink(url=f"/api/v1/uploads/{attachment.id}?{urlencode({'sig': sig})}", ttl_s=ttl)


class FileBytes(Response):
    """Documents the download as bytes; each answer sets the file's own content type."""

    media_type = "application/octet-stream"


@router.get(
    "/uploads/{attachment_id}",
    response_class=FileBytes,
    responses={**ERRORS_BESIDE_A_FILE, **FILE_BYTES},
)
async def download(
    attachment_id: str, state: StateDep, actor: OptionalActor, sig: str | None = None
) -> Response:
    async with state.uow() as uow:
        if sig is not None and _signed_for(state.settings.secret_key, sig, attachment_id):
            attachment = await service.by_id(uow, attachment_id)
        else:
            attachment = await attachments.readable(uow, actor, attachment_id)
    data = await state.storage().load(attachment.storage_key)
    disposition = "inline" if attachment.content_type in IMAGES else "attachment"
    return Response(
        data,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": content_disposition(disposition, attachment.filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "public, max-age=86400" if attachment.public else "private",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
