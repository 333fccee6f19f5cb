"""REST: the caller's site, its look and its routing settings."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, UploadFile
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, field_validator

from app.agents import service as agents
from app.agents.schemas import EmailAddress
from app.agents.setup import create_shop
from app.common.errors import BadRequest, Conflict, NotFound
from app.common.i18n import Language
from app.files import service as files
from app.offline.hours import OfficeHours
from app.ratelimit.site_rules import SiteRateLimits
from app.routing import assignment, departments
from app.routing.departments import Department
from app.routing.policy import RoutingSettings
from app.sites.models import Site
from app.sites.service import AskContact
from app.web.deps import AdminAgent, CurrentAgent, StateDep
from app.web.errors import ERRORS
from app.web.idempotency import IdempotencyKey
from app.web.schemas import SiteOut

router = APIRouter(prefix="/api/v1", tags=["sites"], responses=ERRORS)

# A logo is shown small in the widget's header: a quarter of a megabyte is plenty.
MAX_LOGO_BYTES = 256 * 1024
_ORIGIN = re.compile(r"^https?://[^/\s?#@]+$", re.IGNORECASE)
_LOGO = re.compile(r"^(https://[^\s\"'<>]+|/api/v1/uploads/\w+)$", re.IGNORECASE)


def _origins(values: list[str]) -> list[str]:
    """Origins a browser sends: scheme and host (and port), no path; kept without a final /."""
    out = []
    for value in values:
        origin = value.strip().rstrip("/")
        if not _ORIGIN.match(origin):
            raise ValueError(f"{value!r} is not an origin like https://shop.example")
        out.append(origin)
    return list(dict.fromkeys(out))


def _logo(url: str | None) -> str | None:
    """A logo a browser only ever loads as an image: an https address or an uploaded image."""
    if url and not _LOGO.match(url):
        raise ValueError("must be an https:// address or an uploaded image")
    return url or None


Origins = Annotated[list[str], Field(max_length=50), AfterValidator(_origins)]
LogoUrl = Annotated[str | None, Field(max_length=500), AfterValidator(_logo)]


class SiteUpdate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"greeting": "Questions? Ask us.", "identity_required": True}]
        }
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    greeting: str | None = Field(default=None, max_length=300)
    theme_color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    allowed_origins: Origins | None = None
    # Shown in the widget's header: an https address or one of the site's uploaded images.
    logo_url: LogoUrl = None
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
    # When the widget asks the visitor's name and e-mail: "before" (with the question), "after"
    # (once the question is typed; the default) or "never".
    ask_contact: AskContact | None = None

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
    "logo_url",
    "language",
    "language_from_browser",
    "ask_contact",
)
_OFFLINE = ("office_hours", "notify_emails")


class ShopAdmin(BaseModel):
    email: EmailAddress
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=8, max_length=500)


class SiteCreate(BaseModel):
    """A new shop and its own first admin (who manages it from then on)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Cykelhuset",
                    "allowed_origins": ["https://cykelhuset.dk"],
                    "admin": {
                        "email": "ejer@cykelhuset.dk",
                        "name": "Mette Holm",
                        "password": "a long secret phrase",
                    },
                }
            ]
        }
    )

    name: str = Field(min_length=1, max_length=200)
    allowed_origins: Origins = Field(default_factory=list)
    greeting: str | None = Field(default=None, max_length=300)
    theme_color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    admin: ShopAdmin


@router.post("/sites", status_code=201)
async def create_site(
    body: SiteCreate, admin: AdminAgent, state: StateDep, idempotency: IdempotencyKey
) -> SiteOut:
    """An admin of this install opens another shop; the shop's own admin runs it (an admin
    never reaches into another site's agents or chats)."""
    async with state.uow() as uow:
        try:
            site, _ = await create_shop(
                uow,
                body.name,
                body.allowed_origins,
                body.admin.email,
                body.admin.name,
                body.admin.password,
            )
        except Conflict as exc:
            raise Conflict(exc.message, field="admin.email") from None
        if body.greeting is not None:
            site.greeting = body.greeting
        if body.theme_color is not None:
            site.theme_color = body.theme_color
        await uow.session.flush()
        return SiteOut.of(site)


@router.post("/sites/{site_id}/logo")
async def upload_logo(
    site_id: str, file: UploadFile, admin: AdminAgent, state: StateDep
) -> SiteOut:
    """The shop's logo: an image (PNG, JPEG, GIF or WebP; never SVG), stored as a public file."""
    data = await file.read(MAX_LOGO_BYTES + 1)
    async with state.uow() as uow:
        site = await uow.session.get(Site, site_id)
        if site is None or site.id != admin.site_id:
            raise NotFound("no such site")
        if len(data) > MAX_LOGO_BYTES:
            raise BadRequest(f"a logo may be at most {MAX_LOGO_BYTES // 1024} KB", field="file")
        try:
            image = await files.store(
                uow,
                state.storage(),
                agents.actor_of(admin),
                file.filename,
                data,
                MAX_LOGO_BYTES,
                public=True,
            )
        except BadRequest as exc:
            raise BadRequest("a logo must be a PNG, JPEG, GIF or WebP image", field="file") from exc
        site.settings = {**site.settings, "logo_url": f"/api/v1/uploads/{image.id}"}
        await uow.session.flush()
        return SiteOut.of(site, secrets=True)


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
                    raise BadRequest(
                        f"routing.default_skill: no skill {rules['default_skill']!r}",
                        field="routing.default_skill",
                    )
                rules["default_skill"] = known
            site.settings = {**site.settings, "routing": rules}
        if body.departments is not None:
            listed = await departments.checked(uow, site.id, body.departments)
            site.settings = {**site.settings, "departments": [d.model_dump() for d in listed]}
        kept = body.model_dump(exclude_unset=True, include=set(_IN_SETTINGS))
        kept = {k: v for k, v in kept.items() if v is not None or k == "logo_url"}
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
