"""Trigger rules without a database: each field and operator, all/any, globs, excluded URLs,
the first moment a trigger holds, and what the REST schema refuses (naming the field)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from app.triggers.rules import Facts, excluded, fact_holds, first_time, glob_matches
from app.triggers.schemas import TriggerIn, TriggerUpdate

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
FACTS = Facts(
    url="https://shop.example/pricing/pro?plan=year",
    page_started_at=T0,
    visit_started_at=T0 - timedelta(seconds=100),
    page_views=3,
    visit_count=2,
    returning=True,
    cart_value=120.5,
    referrer="https://www.Google.com/search?q=shoes",
    language="de-AT",
    events=frozenset({"trial_started", "cart.updated"}),
)


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("url", "contains", "/pricing", True),
        ("url", "contains", "/faq", False),
        ("url", "contains", "/PRICING", False),  # URLs are case-sensitive
        ("url", "equals", "https://shop.example/pricing/pro?plan=year", True),
        ("url", "equals", "https://shop.example/pricing/pro", False),
        ("url", "glob", "*/pricing/*", True),
        ("url", "glob", "https://shop.example/*", True),  # `*` crosses `/`
        ("url", "glob", "*/product/*", False),
        ("url", "glob", "https://shop.example/pricing/pr?", False),  # the whole URL
        ("url", "glob", "https://shop.example/pricing/[pq]ro*", True),
        ("url", "regex", r"/pricing/(pro|team)\b", True),
        ("url", "regex", r"^/pricing", False),
        ("page_views", "gte", 3, True),
        ("page_views", "gte", 4, False),
        ("page_views", "lte", 3, True),
        ("page_views", "lte", 2, False),
        ("visit_count", "gte", 2, True),
        ("visit_count", "lte", 1, False),
        ("returning", "is", True, True),
        ("returning", "is", False, False),
        ("cart_value", "gte", 100, True),
        ("cart_value", "gte", 120.6, False),
        ("cart_value", "lte", 200, True),
        ("referrer", "contains", "google.com", True),  # any case
        ("referrer", "contains", "bing", False),
        ("language", "equals", "de", True),  # the primary language matches a regional one
        ("language", "equals", "DE-at", True),
        ("language", "equals", "de-DE", False),
        ("language", "equals", "en", False),
        ("event", "equals", "trial_started", True),
        ("event", "equals", "checkout.failed", False),
    ],
)
def test_each_field_and_operator(field: str, op: str, value: Any, expected: bool) -> None:
    assert fact_holds(field, op, value, FACTS) is expected


def test_facts_that_are_unknown_never_hold() -> None:
    blank = replace(FACTS, cart_value=None, referrer=None, language=None)
    assert not fact_holds("cart_value", "lte", 1000, blank)
    assert not fact_holds("cart_value", "gte", 0, blank)
    assert not fact_holds("referrer", "contains", "g", blank)
    assert not fact_holds("language", "equals", "de", blank)


@pytest.mark.parametrize(
    ("pattern", "url", "expected"),
    [
        ("*/checkout*", "https://shop.example/checkout", True),
        ("*/checkout*", "https://shop.example/checkout/pay/step2", True),
        ("*/checkout*", "https://shop.example/cart", False),
        ("https://shop.example/*/reviews", "https://shop.example/p/42/reviews", True),
        ("*.pdf", "https://shop.example/files/manual.pdf", True),
        ("*.pdf", "https://shop.example/files/manual.pdf?x=1", False),
    ],
)
def test_globs_match_the_whole_url_and_star_crosses_slashes(
    pattern: str, url: str, expected: bool
) -> None:
    assert glob_matches(pattern, url) is expected


def test_excluded_urls() -> None:
    assert excluded("https://shop.example/checkout/pay", ["*/account*", "*/checkout*"])
    assert not excluded("https://shop.example/pricing", ["*/account*", "*/checkout*"])
    assert not excluded("https://shop.example/pricing", [])


def rule(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


ON_PRICING = rule("url", "contains", "/pricing")
ON_FAQ = rule("url", "contains", "/faq")
PAGE_20 = rule("time_on_page_s", "gte", 20)
SITE_300 = rule("time_on_site_s", "gte", 300)
PAGE_UNDER_10 = rule("time_on_page_s", "lte", 10)


@pytest.mark.parametrize(
    ("match", "rules", "now_s", "expected_s"),
    [
        # all: URL and time combine; the time is counted from the page view, not from `now`.
        ("all", [ON_PRICING, PAGE_20], 0, 20),
        ("all", [ON_PRICING, PAGE_20], 5, 20),
        ("all", [ON_PRICING, PAGE_20], 25, 25),
        ("all", [ON_FAQ, PAGE_20], 0, None),
        ("all", [ON_PRICING], 0, 0),
        # time on site counts from the visit's start, 100 s before the page view
        ("all", [ON_PRICING, SITE_300], 0, 200),
        ("all", [PAGE_20, SITE_300], 0, 200),
        # a window that closes: <= 10 s on the page, and >= 20 s cannot both hold
        ("all", [PAGE_UNDER_10, PAGE_20], 0, None),
        ("all", [PAGE_UNDER_10, ON_PRICING], 3, 3),
        ("all", [PAGE_UNDER_10, ON_PRICING], 11, None),
        # any: the earliest of them
        ("any", [ON_FAQ, PAGE_20], 0, 20),
        ("any", [ON_PRICING, PAGE_20], 0, 0),
        ("any", [ON_FAQ, SITE_300, PAGE_20], 0, 20),
        ("any", [ON_FAQ, PAGE_UNDER_10], 11, None),
        ("any", [ON_FAQ], 0, None),
    ],
)
def test_first_time_the_conditions_hold(
    match: str, rules: list[dict[str, Any]], now_s: float, expected_s: float | None
) -> None:
    now = T0 + timedelta(seconds=now_s)
    at = first_time({"match": match, "rules": rules}, FACTS, now)
    assert at == (None if expected_s is None else T0 + timedelta(seconds=expected_s))


def test_no_rules_never_hold() -> None:
    assert first_time({"match": "all", "rules": []}, FACTS, T0) is None


def trigger_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Pricing help",
        "conditions": {"match": "all", "rules": [ON_PRICING, PAGE_20]},
        "exclude_urls": ["*/checkout*"],
        "message": "Questions about our prices?",
    }
    body.update(changes)
    return body


def refusal(body: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        TriggerIn.model_validate(body)
    err = caught.value.errors()[0]
    return ".".join(str(p) for p in err["loc"]) + ": " + err["msg"]


def test_the_contract_example_is_valid() -> None:
    trigger = TriggerIn.model_validate(trigger_body(open_panel=False, enabled=True))
    assert trigger.conditions.rules[1].value == 20
    assert not trigger.when_unavailable


@pytest.mark.parametrize(
    ("bad_rule", "says"),
    [
        (rule("url", "gte", 3), "op 'gte' is not valid for field 'url'"),
        (rule("time_on_page_s", "contains", "x"), "not valid for field 'time_on_page_s'"),
        (rule("returning", "equals", True), "not valid for field 'returning'"),
        (rule("url", "regex", "(unclosed"), "not a valid regular expression"),
        (rule("url", "contains", 5), "value of 'url' must be text"),
        (rule("page_views", "gte", "many"), "must be a number"),
        (rule("cart_value", "gte", -1), "must be a number of at least 0"),
        (rule("time_on_page_s", "gte", True), "must be a number"),
        (rule("returning", "is", "yes"), "must be true or false"),
        (rule("colour", "equals", "red"), "conditions.rules.0.field"),
    ],
)
def test_a_bad_rule_is_refused_naming_where(bad_rule: dict[str, Any], says: str) -> None:
    message = refusal(trigger_body(conditions={"match": "all", "rules": [bad_rule]}))
    assert message.startswith("conditions.rules.0")
    assert says in message


def test_other_refusals_name_their_field() -> None:
    assert refusal(trigger_body(conditions={"match": "all", "rules": []})).startswith(
        "conditions.rules"
    )
    assert refusal(trigger_body(conditions={"match": "most", "rules": [ON_PRICING]})).startswith(
        "conditions.match"
    )
    assert refusal(trigger_body(exclude_urls=[""])).startswith("exclude_urls.0")
    assert refusal(trigger_body(message="")).startswith("message")
    assert refusal(trigger_body(surprise=1)).startswith("surprise")


def test_an_update_may_clear_the_skill_but_nothing_else() -> None:
    assert TriggerUpdate.model_validate({"skill": None}).model_fields_set == {"skill"}
    with pytest.raises(ValidationError, match="may not be null"):
        TriggerUpdate.model_validate({"message": None})
