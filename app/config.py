"""Settings, read once from the environment (prefix ``PARLEY_``); nothing else reads os.environ."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from pathlib import Path

from limits import parse_many
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A configured key shorter than this is refused: HS256 tokens signed with it could be guessed.
MIN_SECRET_KEY_LENGTH = 32
_NOT_RULES = {"rate_limit_storage", "rate_limit_prefix"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./parley.db"
    broker_url: str = "memory://"
    # Empty: the install generates its own key on first start and keeps it in the database
    # (app/instance), so no install ever signs tokens with a key published with the source.
    secret_key: str = ""
    access_token_ttl_s: int = 12 * 3600
    visitor_token_ttl_s: int = 365 * 24 * 3600
    # Frames above this size are refused before parsing: a chat message never needs more.
    max_frame_bytes: int = 64 * 1024
    # A socket whose outgoing queue holds this many frames is too slow; it is closed (4408) and
    # the client resumes from its last seq, which costs less than buffering without bound.
    socket_queue_size: int = 1000
    # How often a process refreshes presence of the agents connected to it, and how long after
    # the last refresh an agent counts as gone (covers a killed process).
    presence_heartbeat_s: float = 10.0
    presence_grace_s: float = 30.0
    job_poll_s: float = 1.0
    # Default time an agent has to accept an offered chat (sites without auto-accept).
    offer_timeout_s: float = 30.0
    # An online agent who does nothing in the console this long turns "away"; 0 disables.
    agent_idle_away_s: float = 900.0
    # A visitor with no socket and no activity this long has left: their open chat is closed
    # (reason visitor_left), freeing the agent's slot or their place in the queue.
    visitor_gone_s: float = Field(default=600.0, gt=0)
    # Visitor uploads never sent in a chat are deleted (row and bytes) after this long.
    unattached_upload_ttl_s: float = Field(default=24 * 3600.0, gt=0)
    # Proactive invitations: none for this long after the visitor dismissed one; a visit ends
    # after this long without a page view (one invitation per visit).
    invitation_cooldown_s: float = Field(default=1800.0, ge=0)
    visit_gap_s: float = Field(default=1800.0, gt=0)
    # KPIs: an order counts as chat-assisted when it comes at most this long after an agent's
    # first answer in a chat of the same visitor (docs/kpis.md).
    assist_window_s: float = Field(default=7 * 24 * 3600.0, ge=0)
    # Tests and demos only: office hours are judged as if the server had started at this
    # instant (ISO 8601 with an offset); the clock then runs on. Unset: the real clock.
    office_hours_clock: datetime | None = None
    upload_dir: Path = Path("./parley-uploads")
    max_upload_bytes: int = 10 * 1024 * 1024
    log_level: str = "info"
    demo: bool = False
    # Client addresses (per-address limits, logs) come from X-Forwarded-For only when the direct
    # peer is one of these proxies (comma list of addresses or networks); empty trusts nobody,
    # so no client can pick its own address by sending the header.
    trusted_proxies: str = ""
    # Rate limits (docs/protocol.md "Rate limits"). Each rule is one or more limits in the
    # `limits` library's syntax, ";"-separated; all must allow. An empty rule means no limit.
    # Off for load tests and benchmarks only.
    rate_limits: bool = True
    # Where the counts live: empty = Redis when the broker is Redis (counted across processes),
    # otherwise in this process; or any `limits` async storage URI ("async+redis://...").
    rate_limit_storage: str = ""
    # Prefixes every counter: installations (or test runs) sharing one Redis count apart.
    rate_limit_prefix: str = "parley"
    # Failed logins, per account and per client address; the longer limits make each lockout
    # after the first last longer (15 minutes, then up to an hour, then up to a day).
    rate_limit_login_account: str = "10/15 minutes;20/hour;40/day"
    rate_limit_login_address: str = "10/15 minutes;20/hour;40/day"
    rate_limit_widget_session: str = "60/minute;1000/hour"
    rate_limit_chat_start: str = "10/minute;60/hour"
    rate_limit_visitor_message: str = "5/second;60/minute"
    # Agents are not throttled at human speed; this only stops a runaway script.
    rate_limit_agent_message: str = "50/second"
    rate_limit_visitor_upload: str = "10/minute;60/hour"
    # Any frame from a visitor (typing, page views, ...), on top of the rules above.
    rate_limit_visitor_frame: str = "20/second;600/minute"
    # Open visitor sockets per visitor (tabs), counted per process; more are closed with 4429.
    max_visitor_sockets: int = 10
    # E-mail (README "E-mail"): smtp://host:port, smtp+starttls://user:pass@host:587,
    # smtps://user:pass@host:465. Empty: e-mail is off, and what needs it says so.
    smtp_url: str = ""
    mail_from: str = "Parley <parley@localhost>"
    # Where links in e-mails point (attachments of a transcript); `parley serve` fills in the
    # address it listens on when this is empty. Set it to the public https address.
    public_url: str = ""
    # A failed send is tried again after base, 2*base, 4*base, ... (at most max) seconds, at
    # most this many times in all; then it is marked failed for an admin to see.
    mail_retry_base_s: float = Field(default=30.0, gt=0)
    mail_retry_max_s: float = Field(default=3600.0, gt=0)
    mail_max_attempts: int = Field(default=10, ge=1)
    # Sent and failed mails (copies of customers' chats) are deleted after this long.
    mail_keep_s: float = Field(default=30 * 24 * 3600.0, gt=0)
    # How often the retention job looks for chats older than a site's retention period
    # (docs/privacy.md); changing a site's period also runs it at once.
    retention_every_s: float = Field(default=3600.0, gt=0)
    # One SMTP conversation may take this long before it counts as failed; a process that
    # died mid-send leaves its mail to others after about twice this.
    smtp_timeout_s: float = Field(default=30.0, gt=0)
    # Webhooks (docs/crm.md). Targets on loopback, private or link-local addresses are refused
    # (SSRF), when saved and when sent, unless this is true (a receiver on the same network).
    webhooks_allow_private: bool = False
    # A failed delivery is retried after this long, each next time twice as long, at most
    # webhooks_retry_max_s apart; after failing for webhooks_give_up_s the endpoint is disabled.
    webhooks_retry_base_s: float = Field(default=5.0, gt=0)
    webhooks_retry_max_s: float = Field(default=3600.0, gt=0)
    webhooks_give_up_s: float = Field(default=24 * 3600.0, gt=0)
    # How often each process looks for due deliveries, and how long a process may hold an
    # endpoint before another one takes over (it renews while it sends; a killed process's
    # endpoints are sent to again after this).
    webhooks_poll_s: float = Field(default=1.0, gt=0)
    webhooks_lease_s: float = Field(default=60.0, gt=10)
    # After POST /webhooks/{id}/secret the replaced secret still signs (beside the new one)
    # this long, so a receiver can switch to the new one without refusing a delivery.
    webhooks_secret_grace_s: float = Field(default=24 * 3600.0, gt=0)

    @field_validator("office_hours_clock")
    @classmethod
    def _aware_clock(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("PARLEY_OFFICE_HOURS_CLOCK needs an offset, e.g. +00:00")
        return value

    @field_validator("secret_key")
    @classmethod
    def _refuse_short_secret(cls, value: str) -> str:
        if value and len(value) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(
                f"PARLEY_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters "
                "(e.g. `openssl rand -base64 48`), or unset to use the generated key"
            )
        return value

    @field_validator("smtp_url")
    @classmethod
    def _known_smtp_scheme(cls, value: str) -> str:
        if value and not value.startswith(("smtp://", "smtps://", "smtp+starttls://")):
            raise ValueError(
                "PARLEY_SMTP_URL must start with smtp://, smtps:// or smtp+starttls://"
            )
        return value

    @model_validator(mode="after")
    def _rate_limit_rules_parse(self) -> Settings:
        for name, value in self:
            if name.startswith("rate_limit_") and name not in _NOT_RULES and value.strip():
                try:
                    parse_many(value)
                except ValueError as exc:
                    raise ValueError(f"PARLEY_{name.upper()}: {exc}") from exc
        return self

    @cached_property
    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]
