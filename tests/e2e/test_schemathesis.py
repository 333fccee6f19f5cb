"""Schemathesis over the real server's /openapi.json, as an admin, an agent and an API token:
generated requests (valid and invalid) never get a server error, and every answer conforms to
the schema (its status is documented, its body matches the documented model, its content type
is the documented one).

Bounded: a fixed seed, five examples per operation and phase, one worker (about a minute per
caller on a slow machine). Schemathesis reuses ids it saw in answers (the caller's own id from
``PATCH /agents/me``, agents it created), so operations that would lock the caller out of the
rest of the run are left out:
- ``POST /agents/me/password`` and ``POST /agents/{agent_id}/password``: a new password ends
  the agent's sessions, the caller's own included; every later request would answer 401.
- ``PATCH /agents/{agent_id}``: an admin changing their own role to ``agent`` would meet 403
  on every admin route afterwards.
What the run did is checked too: the caller's token still works at the end, and enough
requests succeeded (a run answered 401 throughout would otherwise pass without testing).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ALICE, running_server
from tests.support import Server

ADMIN = ("admin@demo.parley", "admin-demo")
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    )
)
ROOT = Path(__file__).resolve().parents[2]  # the hooks module is imported from here
EXCLUDED = (
    "/api/v1/agents/me/password",
    "/api/v1/agents/{agent_id}/password",
    "/api/v1/agents/{agent_id}",
)
EXAMPLES = 5
# Successful (2xx) answers a run must have had, per caller (measured: about 130 for the
# admin, 30 for the agent and the API token, who meet 403 on the admin routes).
ENOUGH = {"admin": 60, "agent": 15, "api_token": 15}


@pytest.fixture
def fuzzed(tmp_path: Path) -> Iterator[Server]:
    """A server of its own per caller; rate limits off (a fuzzer is one very busy client)."""
    with running_server(tmp_path, PARLEY_RATE_LIMITS="false") as srv:
        yield srv


def _bearer(server: Server, who: str) -> str:
    if who == "admin":
        return server.login(*ADMIN)
    if who == "agent":
        return server.login(*ALICE)
    created = httpx.post(
        f"{server.base}/api/v1/api-tokens",
        json={"name": "Schemathesis", "role": "agent", "scope": "write"},
        headers={"Authorization": f"Bearer {server.login(*ADMIN)}"},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    token: str = created.json()["token"]
    return token


def _successes(report_dir: Path) -> int:
    """2xx answers in the run's NDJSON report."""
    count = 0
    for report in report_dir.glob("*.ndjson"):
        for line in report.read_text().splitlines():
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if not finished:
                continue
            for interaction in (finished.get("recorder") or {}).get("interactions", {}).values():
                status = (interaction.get("response") or {}).get("status_code") or 0
                count += 200 <= status < 300
    return count


@pytest.mark.parametrize("who", ["admin", "agent", "api_token"])
async def test_schemathesis_finds_no_server_error_and_no_schema_drift(
    fuzzed: Server, who: str, tmp_path: Path
) -> None:
    token = await asyncio.to_thread(_bearer, fuzzed, who)
    reports = tmp_path / "reports"
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{fuzzed.base}/openapi.json",
        "--header", f"Authorization: Bearer {token}",
        "--checks", CHECKS,
        "--max-examples", str(EXAMPLES),
        "--phases", "examples,coverage,fuzzing",
        "--seed", "15",
        "--workers", "1",
        "--request-timeout", "30",
        "--no-shrink",
        "--suppress-health-check", "all",
        "--output-truncate", "false",
        "--report", "ndjson", "--report-dir", str(reports),
        *(arg for path in EXCLUDED for arg in ("--exclude-path", path)),
    ]  # fmt: skip
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.e2e.schemathesis_hooks"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    run = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, timeout=900, cwd=tmp_path,
        env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-30000:] + run.stderr[-5000:]

    async with httpx.AsyncClient(base_url=f"{fuzzed.base}/api/v1", timeout=30) as http:
        still = await http.get("/chats", headers={"Authorization": f"Bearer {token}"})
    assert still.status_code == 200, still.text
    assert _successes(reports) >= ENOUGH[who], run.stdout[-5000:]
