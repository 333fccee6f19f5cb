"""Settings, read once from the environment (prefix ``PARLEY_``); nothing else reads os.environ."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A configured key shorter than this is refused: HS256 tokens signed with it could be guessed.
MIN_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./parley.db"
    broker_url: str = "memory://"
    # Empty: the install generates its own key on first start and keeps it in the database
    # (app/instance), so no install ever signs tokens with a key published with the source.
    secret_key: str = ""
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
    upload_dir: Path = Path("./parley-uploads")
    max_upload_bytes: int = 10 * 1024 * 1024
    log_level: str = "info"
    demo: bool = False

    @field_validator("secret_key")
    @classmethod
    def _refuse_short_secret(cls, value: str) -> str:
        if value and len(value) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(
                f"PARLEY_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters "
                "(e.g. `openssl rand -base64 48`), or unset to use the generated key"
            )
        return value

    @cached_property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def random_key(nbytes: int = 24) -> str:
    return secrets.token_urlsafe(nbytes)
