"""The demo's agents are seeded with hashes made beforehand: each must still be its password's."""

from __future__ import annotations

import pytest

from app.agents.passwords import verify_password
from app.demo import DEMO_AGENTS


@pytest.mark.parametrize("spec", DEMO_AGENTS, ids=lambda spec: spec["email"])
def test_each_demo_hash_verifies_its_published_password(spec: dict[str, str]) -> None:
    assert verify_password(spec["password_hash"], spec["password"])
    assert not verify_password(spec["password_hash"], spec["password"] + "x")
