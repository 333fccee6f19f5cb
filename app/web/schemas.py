"""Answers of the edge itself: the probes, the token an agent signs in with, and the site as
its staff see it (which gathers routing and rate-limit settings, so it sits above them)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from app.agents.models import Agent
from app.agents.schemas import AgentOut
from app.common.i18n import Language
from app.common.wire import WireModel, omitted
from app.offline.hours import OfficeHours
from app.offline.service import hide_when_offline, notify_emails, office_hours
from app.ratelimit.site_rules import SiteRateLimits
from app.routing.departments import Department, departments_of
from app.routing.policy import RoutingSettings
from app.sites.models import Site
from app.sites.service import (
    DEFAULT_ALERT_AFTER_S,
    AskContact,
    alert_after_s,
    ask_contact,
    language_from_browser,
    site_language,
    site_timezone,
    transcripts_enabled,
)

# A DELETE that succeeded: 204, no body.
DELETED: dict[int | str, dict[str, Any]] = {204: {"description": "deleted; the answer has no body"}}


class Health(WireModel):
    """The process is up (it says nothing of the database: see ``/readyz``)."""

    status: Literal["ok"] = "ok"


class ReadinessChecks(WireModel):
    database: bool
    broker: bool
    accepting: bool = Field(description="false while the process drains before it stops")


class Readiness(WireModel):
    """Whether this process should get traffic: 200 when every check holds, else 503."""

    status: Literal["ok", "unavailable"]
    checks: ReadinessChecks


class AccessToken(WireModel):
    """A signed-in agent: the bearer token for REST and the agent socket, and who it is for."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds the token stays valid")
    agent: AgentOut

    @classmethod
    def of(cls, token: str, ttl_s: int, agent: Agent) -> AccessToken:
        return cls(access_token=token, expires_in=ttl_s, agent=AgentOut.of(agent))


class SiteOut(WireModel):
    """A site as its staff see it; ``secret`` only for admins."""

    id: str
    name: str
    site_key: str
    greeting: str
    theme_color: str
    allowed_origins: list[str]
    routing: RoutingSettings
    departments: list[Department]
    rate_limits: SiteRateLimits
    timezone: str = Field(description="the IANA zone the shop's times are shown in")
    transcripts: bool = Field(description="chat transcripts may be e-mailed")
    identity_required: bool = Field(description="widget sessions need a verified user hash")
    language: Language = Field(description="the widget's and the e-mails' language")
    language_from_browser: bool = Field(description="the widget follows the browser's language")
    office_hours: OfficeHours | None = Field(
        description="weekly opening ranges, time zone and holidays; null: always open"
    )
    notify_emails: list[str] = Field(description="who is e-mailed offline messages")
    hide_when_offline: bool = Field(description="the widget's bubble hides while unavailable")
    alert_after_s: int = Field(
        default=DEFAULT_ALERT_AFTER_S,
        description="seconds a visitor may wait unanswered before the dashboard alerts",
    )
    logo_url: str | None = Field(description="the shop's logo (https or an uploaded image)")
    ask_contact: AskContact = Field(
        default="after",
        description="when the widget asks name and e-mail: with the question, after it, never",
    )
    secret: str | None = omitted("the site's signing secret (admins only)")

    @classmethod
    def of(cls, site: Site, secrets: bool = False) -> SiteOut:
        return cls(
            id=site.id,
            name=site.name,
            site_key=site.site_key,
            greeting=site.greeting,
            theme_color=site.theme_color,
            allowed_origins=site.allowed_origins,
            routing=RoutingSettings.model_validate(site.settings.get("routing", {})),
            departments=departments_of(site.settings),
            rate_limits=SiteRateLimits.of(site.settings),
            timezone=site_timezone(site),
            transcripts=transcripts_enabled(site),
            identity_required=bool(site.settings.get("identity_required", False)),
            language=site_language(site),
            language_from_browser=language_from_browser(site),
            office_hours=office_hours(site),
            notify_emails=notify_emails(site),
            hide_when_offline=hide_when_offline(site),
            alert_after_s=alert_after_s(site),
            logo_url=site.settings.get("logo_url") or None,
            ask_contact=ask_contact(site),
            secret=site.secret if secrets else None,
        )
