"""REST: exporting the archive (the chats ``GET /chats`` lists, with the same filters)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.agents.service import actor_of
from app.archive import service
from app.archive.schemas import ArchiveExport
from app.archive.service import ArchiveFilter
from app.web.deps import CurrentAgent, SessionDep
from app.web.errors import ERRORS

router = APIRouter(prefix="/api/v1", tags=["chats"], responses=ERRORS)


@router.get(
    "/chats/export",
    response_model=ArchiveExport,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_chats(
    agent: CurrentAgent,
    session: SessionDep,
    format: Literal["json", "csv"] = "json",
    status: str | None = None,
    agent_id: str | None = None,
    visitor_id: str | None = None,
    skill: str | None = None,
    rating: Annotated[int | None, Query(ge=1, le=5)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    from_: Annotated[datetime | None, Query(alias="from")] = None,
    to: datetime | None = None,
) -> ArchiveExport | Response:
    filters = ArchiveFilter(status, agent_id, visitor_id, skill, rating, q, from_, to)
    chats, truncated = await service.export(session, actor_of(agent), filters)
    if format == "csv":
        return Response(
            service.csv_text(chats),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="parley-chats.csv"'},
        )
    return ArchiveExport(items=chats, truncated=truncated)
