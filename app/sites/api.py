"""REST: the caller's site, its look and its routing settings."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from app.common.errors import BadRequest, NotFound
from app.common.i18n import Language
from app.offline.hours import OfficeHours
from app.ratelimit.site_rules import SiteRateLimits
from app.routing import assignment, departments
from app.routing.departments import Department
from app.routing.policy import RoutingSettings
from app.sites.models import Site
from app.web.deps import AdminAgent, CurrentAgent, StateDep
from app.web.errors import ERRORS
from app.web.schemas import SiteOut

router = APIRouter(prefix="/api/v1", tags=["sites"], responses=ERRORS)


class SiteUpdate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"greeting": "Questions? Ask us.", "identity_required": True}]
        }
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    greeting: str | None = Field(default=None, max_length=300)
    theme_color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    allowed_origins: list[str] | None = None
    routing: RoutingSettings | None = None
    # The topics the widget's pre-chat form offers; each needs a skill the site knows.
    departments: list[Department] | None = Field(
        default=None, max_length=departments.MAX_DEPARTMENTS
    )
    # The shop's own limits for its visitors (docs/protocol.md "Rate limits").
    rate_limits: SiteRateLimits | None = None
    # The IANA zone the shop's times are shown in (e-mailed transcripts), e.g. "Europe/Berlin".
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    # Whether chat transcripts may be e-mailed (visitors' requests and agents' sends).
    transcripts: bool | None = None
    # Refuse widget sessions whose ``user`` has no valid identity hash (docs/crm.md).
    identity_required: bool | None = None
    # The language of the widget and the e-mails (en, da, sv, nl, de).
    language: Language | None = None
    # Let the widget speak the visitor's browser language when it is one of Parley's.
    language_from_browser: bool | None = None
    # Office hours (docs/protocol.md "Office hours"); null removes them (open whenever an agent
    # is online). Who is e-mailed offline messages, and whether the bubble hides meanwhile.
    office_hours: OfficeHours | None = None
    notify_emails: list[EmailStr] | None = Field(default=None, max_length=10)
    hide_when_offline: bool | None = None
    # Seconds a visitor may wait for an answer before the KPI dashboard alerts (docs/kpis.md).
    alert_after_s: int | None = Field(default=None, ge=1, le=3600)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r}") from None
        return value


_IN_SETTINGS = (
    "timezone",
    "transcripts",
    "identity_required",
    "hide_when_offline",
    "alert_after_s",
    "language",
    "language_from_browser",
)
_OFFLINE = ("office_hours", "notify_emails")


@router.get("/sites/{site_id}")
async def get_site(site_id: str, agent: CurrentAgent, state: StateDep) -> SiteOut:
    async with state.uow() as uow:
        site = await uow.session.get(Site, site_id)
        if site is None or site.id != agent.site_id:
            raise NotFound("no such site")
        return SiteOut.of(site, secrets=agent.role == "admin")


@router.patch("/sites/{site_id}")
async def update_site(
    site_id: str, body: SiteUpdate, admin: AdminAgent, state: StateDep
) -> SiteOut:
    async with state.uow() as uow:
        site = await uow.session.get(Site, site_id)
        if site is None or site.id != admin.site_id:
            raise NotFound("no such site")
        changes = body.model_dump(
            exclude_unset=True,
            exclude={"routing", "departments", "rate_limits", *_IN_SETTINGS, *_OFFLINE},
        )
        for field, value in changes.items():
            setattr(site, field, value)
        if body.routing is not None:
            rules = body.routing.model_dump()
            if rules["default_skill"]:
                known = await departments.known_skill(uow, site.id, rules["default_skill"])
                if known is None:
                    raise BadRequest(f"routing.default_skill: no skill {rules['default_skill']!r}")
                rules["default_skill"] = known
            site.settings = {**site.settings, "routing": rules}
        if body.departments is not None:
            listed = await departments.checked(uow, site.id, body.departments)
            site.settings = {**site.settings, "departments": [d.model_dump() for d in listed]}
        kept = body.model_dump(exclude_unset=True, exclude_none=True, include=set(_IN_SETTINGS))
        if kept:
            site.settings = {**site.settings, **kept}
        if "office_hours" in body.model_fields_set:
            hours = body.office_hours.model_dump(mode="json") if body.office_hours else None
            site.settings = {**site.settings, "office_hours": hours}
        if body.notify_emails is not None:
            emails = list(dict.fromkeys(str(e) for e in body.notify_emails))
            site.settings = {**site.settings, "notify_emails": emails}
        if body.rate_limits is not None:
            own = body.rate_limits.model_dump(exclude_none=True)
            site.settings = {**site.settings, "rate_limits": own}
            state.site_rules.forget(site.id)
        await uow.session.flush()
        # New routing rules (a fallback allowed, say) may let waiting chats through.
        await assignment.drain_queue(uow, site.id, state.routing_policy())
        return SiteOut.of(site, secrets=True)
