"""Settings, read once from the environment (prefix ``PARLEY_``); nothing else reads os.environ."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The development default exists so `parley serve` works out of the box; outside development a
# missing secret is refused, because a guessable key would let anyone forge agent tokens.
_DEV_SECRET = "parley-development-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_", env_file=".env", extra="ignore")

    environment: str = Field(default="development", description="development | production")
    database_url: str = "sqlite+aiosqlite:///./parley.db"
    broker_url: str = "memory://"
    secret_key: str = _DEV_SECRET
    access_token_ttl_s: int = 12 * 3600
    visitor_token_ttl_s: int = 365 * 24 * 3600
    public_url: str = ""
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
    ws_ping_interval_s: float = 20.0
    # A visitor with no socket and no activity this long has left: their open chat is closed
    # (reason visitor_left), freeing the agent's slot or their place in the queue.
    visitor_gone_s: float = Field(default=600.0, gt=0)
    # Visitor uploads never sent in a chat are deleted (row and bytes) after this long.
    unattached_upload_ttl_s: float = Field(default=24 * 3600.0, gt=0)
    upload_dir: Path = Path("./parley-uploads")
    max_upload_bytes: int = 10 * 1024 * 1024
    log_level: str = "info"
    demo: bool = False

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment != "development" and self.secret_key == _DEV_SECRET:
            raise ValueError("PARLEY_SECRET_KEY must be set outside development")
        return self

    @cached_property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def random_key(nbytes: int = 24) -> str:
    return secrets.token_urlsafe(nbytes)
