"""Every REST answer is typed: each route of the API (and the two probes) documents its success
answer as a model, so /openapi.json tells a client what it gets, not just that it gets JSON.

No server: the app is built and its OpenAPI read. The table names each route's success answer;
a new route without a row fails, so does a row whose route answers an untyped ``{}``.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from app.config import Settings
from app.main import create_app
from app.web import health
from app.web.errors import ERRORS

BINARY = "binary"  # the file's own bytes
NO_BODY = None  # 204

# (method, path): (success status, the component its JSON answer is, or BINARY / NO_BODY)
SUCCESS: dict[tuple[str, str], tuple[str, str | None]] = {
    ("POST", "/api/v1/auth/login"): ("200", "AccessToken"),
    ("GET", "/api/v1/agents/me"): ("200", "AgentOut"),
    ("PATCH", "/api/v1/agents/me"): ("200", "AgentOut"),
    ("POST", "/api/v1/agents/me/avatar"): ("200", "AgentOut"),
    ("POST", "/api/v1/agents/me/password"): ("200", "AccessToken"),
    ("GET", "/api/v1/agents"): ("200", "Page_AgentOut_"),
    ("POST", "/api/v1/agents"): ("201", "AgentOut"),
    ("PATCH", "/api/v1/agents/{agent_id}"): ("200", "AgentOut"),
    ("POST", "/api/v1/agents/{agent_id}/deactivate"): ("200", "AgentOut"),
    ("POST", "/api/v1/agents/{agent_id}/reactivate"): ("200", "AgentOut"),
    ("POST", "/api/v1/agents/{agent_id}/password"): ("200", "AgentOut"),
    ("POST", "/api/v1/widget/session"): ("200", "WidgetSession"),
    ("GET", "/api/v1/visitors/{visitor_id}"): ("200", "VisitorDetail"),
    ("PATCH", "/api/v1/visitors/{visitor_id}"): ("200", "VisitorProfile"),
    ("GET", "/api/v1/chats"): ("200", "Page_ChatSummary_"),
    ("POST", "/api/v1/chats/{chat_id}/messages"): ("201", "MessageOut"),
    ("POST", "/api/v1/api-tokens"): ("201", "ApiTokenCreated"),
    ("GET", "/api/v1/api-tokens"): ("200", "ApiTokenList"),
    ("DELETE", "/api/v1/api-tokens/{token_id}"): ("204", NO_BODY),
    ("GET", "/api/v1/visitors"): ("200", "VisitorList"),
    ("DELETE", "/api/v1/visitors/{visitor_id}"): ("200", "AuditEntryOut"),
    ("GET", "/api/v1/visitors/{visitor_id}/export"): ("200", "VisitorExport"),
    ("GET", "/api/v1/audit-log"): ("200", "Page_AuditEntryOut_"),
    ("GET", "/api/v1/privacy/retention"): ("200", "Retention"),
    ("PUT", "/api/v1/privacy/retention"): ("200", "Retention"),
    ("POST", "/api/v1/sites/{site_id}/identity-secret"): ("200", "IdentitySecret"),
    ("GET", "/api/v1/chats/{chat_id}/messages"): ("200", "Page_MessageOut_"),
    ("GET", "/api/v1/chats/{chat_id}/survey"): ("200", "SurveyAnswer"),
    ("GET", "/api/v1/chats/export"): ("200", "ArchiveExport"),
    ("GET", "/api/v1/skills"): ("200", "Page_SkillOut_"),
    ("POST", "/api/v1/skills"): ("201", "SkillOut"),
    ("DELETE", "/api/v1/skills/{skill_id}"): ("204", NO_BODY),
    ("GET", "/api/v1/queue"): ("200", "QueueOut"),
    ("GET", "/api/v1/sites/{site_id}"): ("200", "SiteOut"),
    ("PATCH", "/api/v1/sites/{site_id}"): ("200", "SiteOut"),
    ("POST", "/api/v1/uploads"): ("201", "AttachmentOut"),
    ("POST", "/api/v1/uploads/{attachment_id}/link"): ("200", "SignedLink"),
    ("GET", "/api/v1/uploads/{attachment_id}"): ("200", BINARY),
    ("GET", "/api/v1/saved-replies"): ("200", "Page_ReplyOut_"),
    ("POST", "/api/v1/saved-replies"): ("201", "ReplyOut"),
    ("PATCH", "/api/v1/saved-replies/{reply_id}"): ("200", "ReplyOut"),
    ("DELETE", "/api/v1/saved-replies/{reply_id}"): ("204", NO_BODY),
    ("POST", "/api/v1/saved-replies/{reply_id}/use"): ("200", "FilledReply"),
    ("GET", "/api/v1/supervisor/overview"): ("200", "Overview"),
    ("GET", "/api/v1/kpis"): ("200", "KpiReport"),  # or CSV with format=csv
    ("GET", "/api/v1/kpis/top-questions"): ("200", "TopQuestions"),
    ("GET", "/api/v1/mail/status"): ("200", "MailStatus"),
    ("GET", "/api/v1/mail/outbox"): ("200", "OutboxPage"),
    ("POST", "/api/v1/mail/outbox/{mail_id}/retry"): ("200", "OutboxItem"),
    ("POST", "/api/v1/chats/{chat_id}/transcript"): ("202", "TranscriptAccepted"),
    ("POST", "/api/v1/triggers"): ("201", "TriggerOut"),
    ("GET", "/api/v1/triggers"): ("200", "TriggerList"),
    ("POST", "/api/v1/triggers/preview"): ("200", "TriggerPreview"),
    ("GET", "/api/v1/triggers/{trigger_id}"): ("200", "TriggerOut"),
    ("PATCH", "/api/v1/triggers/{trigger_id}"): ("200", "TriggerOut"),
    ("DELETE", "/api/v1/triggers/{trigger_id}"): ("204", NO_BODY),
    ("GET", "/api/v1/webhooks"): ("200", "WebhookList"),
    ("POST", "/api/v1/webhooks"): ("201", "WebhookCreated"),
    ("GET", "/api/v1/webhooks/{webhook_id}"): ("200", "WebhookOut"),
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): ("200", "WebhookOut"),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): ("204", NO_BODY),
    ("POST", "/api/v1/webhooks/{webhook_id}/secret"): ("200", "WebhookSecret"),
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): ("200", "DeliveryPage"),
    ("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): (
        "202",
        "DeliveryOut",
    ),
    ("GET", "/healthz"): ("200", "Health"),
    ("GET", "/readyz"): ("200", "Readiness"),
}
# Answers besides success that carry a body of their own (not the shared ErrorBody).
OTHER_ANSWERS = {("GET", "/readyz"): {"503": "Readiness"}}
# Answers that are plain BaseModels, not closed WireModels (app/mail/schemas.py,
# app/triggers/schemas.py): a field added to the answer but not to the model would be dropped
# silently. Empty this when they are.
NOT_CLOSED = frozenset(
    {"MailStatus", "OutboxPage", "OutboxItem", "TranscriptAccepted", "TriggerOut", "TriggerList"}
)
# The probes stay out of /openapi.json; what they would document is rendered the same way.
PROBES = ("/healthz", "/readyz")


def _spec() -> dict[str, Any]:
    app = create_app(Settings())
    probes = []
    for route in health.router.routes:
        if isinstance(route, APIRoute) and route.path in PROBES:
            shown = copy.copy(route)
            shown.include_in_schema = True
            probes.append(shown)
    spec = app.openapi()
    probe_spec = get_openapi(title=app.title, version=app.version, routes=probes)
    spec["paths"].update(probe_spec["paths"])
    spec["components"]["schemas"].update(probe_spec["components"]["schemas"])
    return spec


SPEC = _spec()
OPERATIONS = {
    (method.upper(), path): operation
    for path, operations in SPEC["paths"].items()
    for method, operation in operations.items()
}


def test_every_route_has_a_row_and_every_row_a_route() -> None:
    documented = {key for key in OPERATIONS if key[1].startswith("/api/v1/") or key[1] in PROBES}
    assert documented == set(SUCCESS), documented ^ set(SUCCESS)


def _component(ref: str) -> dict[str, Any]:
    name = ref.removeprefix("#/components/schemas/")
    schema: dict[str, Any] = SPEC["components"]["schemas"][name]
    return schema


def _assert_model(answer: dict[str, Any], expected: str) -> None:
    schema = answer["content"]["application/json"]["schema"]
    assert schema.get("$ref") == f"#/components/schemas/{expected}", schema
    component = _component(schema["$ref"])
    assert component.get("type") == "object", component
    assert component.get("properties"), component
    # Closed models: a field added to an answer must be added to its model first.
    closed = component.get("additionalProperties") is False
    assert closed != (expected in NOT_CLOSED), component


@pytest.mark.parametrize(("method", "path"), sorted(SUCCESS), ids=lambda v: str(v))
def test_the_success_answer_is_typed(method: str, path: str) -> None:
    status, expected = SUCCESS[(method, path)]
    answers = OPERATIONS[(method, path)]["responses"]
    successes = [code for code in answers if code.startswith("2")]
    assert successes == [status], answers
    answer = answers[status]
    if expected is NO_BODY:
        assert "content" not in answer, answer
    elif expected == BINARY:
        # Any type: each file answers with its own (FastAPI adds the class's default too).
        assert answer["content"]["*/*"] == {"schema": {"type": "string", "format": "binary"}}
    else:
        _assert_model(answer, expected)
    for code, model in OTHER_ANSWERS.get((method, path), {}).items():
        _assert_model(answers[code], model)


@pytest.mark.parametrize(("method", "path"), sorted(SUCCESS), ids=lambda v: str(v))
def test_the_error_answers_stay_json(method: str, path: str) -> None:
    """A route whose success is not JSON (a download) still answers its errors as JSON."""
    answers = OPERATIONS[(method, path)]["responses"]
    for code in ERRORS if path.startswith("/api/v1/") else ():
        schema = answers[str(code)]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (code, answers[str(code)])


# Media types whose body is a file: no example is shown for the bytes.
FILE_BODIES = frozenset({"multipart/form-data"})


@pytest.mark.parametrize(("method", "path"), sorted(SUCCESS), ids=lambda v: str(v))
def test_every_request_body_has_an_example(method: str, path: str) -> None:
    body = OPERATIONS[(method, path)].get("requestBody")
    for media_type, media in (body or {}).get("content", {}).items():
        if media_type in FILE_BODIES:
            continue
        schema = media["schema"]
        component = _component(schema["$ref"]) if "$ref" in schema else schema
        examples = component.get("examples") or media.get("examples") or media.get("example")
        assert examples, f"{method} {path}: no example for its {media_type} body"


@pytest.mark.parametrize(("method", "path"), sorted(SUCCESS), ids=lambda v: str(v))
def test_every_list_is_paged_by_cursor(method: str, path: str) -> None:
    """A list answer (``items``) takes ``limit`` and ``cursor`` and answers ``next_cursor``."""
    _status, expected = SUCCESS[(method, path)]
    if method != "GET" or expected in (None, BINARY):
        return
    props = _component(f"#/components/schemas/{expected}").get("properties", {})
    if "items" not in props or path in NOT_PAGED:
        return
    params = {p["name"] for p in OPERATIONS[(method, path)].get("parameters", [])}
    assert {"limit", "cursor"} <= params, (path, params)
    assert "next_cursor" in props, (path, props)


# The POSTs that create take an Idempotency-Key (app/web/idempotency.py); no other route does.
IDEMPOTENT = frozenset(
    ("POST", f"/api/v1/{path}")
    for path in (
        "chats/{chat_id}/messages",
        "webhooks",
        "api-tokens",
        "triggers",
        "agents",
        "skills",
        "saved-replies",
    )
)


@pytest.mark.parametrize(("method", "path"), sorted(SUCCESS), ids=lambda v: str(v))
def test_the_creating_posts_take_an_idempotency_key(method: str, path: str) -> None:
    headers = {
        p["name"] for p in OPERATIONS[(method, path)].get("parameters", []) if p["in"] == "header"
    }
    assert ("Idempotency-Key" in headers) == ((method, path) in IDEMPOTENT), headers


# Not a list to page through: an export is one bounded download (``truncated`` says when
# there was more; narrow it with the filters).
NOT_PAGED = frozenset({"/api/v1/chats/export"})


def test_every_reference_resolves() -> None:
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(SPEC)))
    assert refs, "the walk found no references"
    assert refs <= set(SPEC["components"]["schemas"]), refs - set(SPEC["components"]["schemas"])


def test_the_check_sees_an_untyped_answer() -> None:
    """A route that answers a plain dict documents ``{}``: the check above must refuse it."""
    from fastapi import FastAPI

    bare = FastAPI()

    @bare.get("/bare")
    async def untyped() -> dict[str, Any]:
        return {}

    answer = bare.openapi()["paths"]["/bare"]["get"]["responses"]["200"]
    with pytest.raises(AssertionError):
        _assert_model(answer, "Anything")
