"""REST: the KPIs of the caller's site, as JSON or CSV (supervisors and admins)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.common.errors import BadRequest
from app.common.types import utcnow
from app.kpis import questions, service
from app.kpis.schemas import Figures, GroupBy, KpiReport, TopQuestions, VariantFigures
from app.sites.models import Site
from app.sites.service import site_timezone
from app.web.deps import SessionDep, StaffAgent, StateDep
from app.web.errors import ERRORS

router = APIRouter(prefix="/api/v1", tags=["kpis"], responses=ERRORS)

DEFAULT_WINDOW = timedelta(days=7)
MAX_WINDOW = timedelta(days=366)


def _moment(value: str | None, name: str, zone: ZoneInfo) -> datetime | None:
    """An ISO date or date-time; a date, or a time without offset, is read in ``zone``."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name}: not an ISO 8601 date or date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest(f"tz: unknown time zone {name!r}") from None


@router.get(
    "/kpis",
    response_model=KpiReport,
    response_model_by_alias=True,
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}},
)
async def kpis(
    agent: StaffAgent,
    session: SessionDep,
    state: StateDep,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
    group_by: GroupBy | None = None,
    tz: Annotated[
        str | None,
        Query(description="IANA time zone for hour and day groups; the site's by default"),
    ] = None,
    format: Literal["json", "csv"] = "json",
) -> Any:
    now = utcnow()
    tz = tz or await _site_zone(session, agent.site_id)
    start, end = _window(from_, to, _zone(tz), now)
    result = await service.report(
        session,
        agent.site_id,
        start,
        end,
        group_by,
        tz,
        now,
        assist_window_s=state.settings.assist_window_s,
    )
    if format == "csv":
        return Response(
            _csv(result),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="parley-kpis.csv"'},
        )
    return result


@router.get("/kpis/top-questions", response_model=TopQuestions)
async def top_questions(
    agent: StaffAgent,
    session: SessionDep,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
    tz: str | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> TopQuestions:
    """The visitors' first messages of the window, grouped by similarity, biggest group first."""
    tz = tz or await _site_zone(session, agent.site_id)
    start, end = _window(from_, to, _zone(tz), utcnow())
    return await questions.top_questions(session, agent.site_id, start, end, limit)


async def _site_zone(session: AsyncSession, site_id: str) -> str:
    """The site's own time zone (the ``timezone`` setting, UTC until set)."""
    site = await session.get(Site, site_id)
    return site_timezone(site) if site is not None else "UTC"


def _window(
    from_: str | None, to: str | None, zone: ZoneInfo, now: datetime
) -> tuple[datetime, datetime]:
    end = _moment(to, "to", zone) or now
    start = _moment(from_, "from", zone) or end - DEFAULT_WINDOW
    if start >= end:
        raise BadRequest("from must be before to")
    if end - start > MAX_WINDOW:
        raise BadRequest("the window is at most 366 days")
    return start, end


def _flat(figures: Figures | VariantFigures) -> dict[str, Any]:
    """One CSV row: nested blocks become ``block.field`` columns."""
    row: dict[str, Any] = {}
    for name, value in figures.model_dump().items():
        if name in ("key", "label", "variants", "weight"):
            continue
        if isinstance(value, dict):
            for sub, inner in value.items():
                if isinstance(inner, dict):
                    row.update({f"{name}.{sub}.{k}": v for k, v in inner.items()})
                else:
                    row[f"{name}.{sub}"] = inner
        else:
            row[name] = value
    return row


def _csv(result: KpiReport) -> str:
    rows = [{"key": "total", "label": "Total", **_flat(result.totals)}]
    for g in result.groups:
        rows.append({"key": g.key or "", "label": g.label, **_flat(g)})
        # By trigger: a row per A/B variant under its trigger's, keyed "trigger id/variant id".
        for v in g.variants or []:
            key = f"{g.key or ''}/{v.key or ''}"
            rows.append({"key": key, "label": f"{g.label} · {v.label}", **_flat(v)})
    columns = list(dict.fromkeys(c for r in rows for c in r))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
