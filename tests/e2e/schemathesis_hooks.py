"""Schemathesis hooks for tests/e2e/test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

Generated ``Idempotency-Key`` values repeat (the documented example, short strings), and a key
sent again with another body is refused by design (422 ``idempotency_key_reused``): the
creating routes would then rarely run. Each request that carries a key gets a fresh one; the
retry behaviour itself is tested in tests/e2e/test_idempotency.py.
"""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key":
            headers[name] = str(uuid.uuid4())
