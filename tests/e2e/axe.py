"""axe-core, from the project's own node_modules, run inside the test browser.

The source is evaluated through the DevTools protocol, so the pages' CSP (own scripts only) does
not have to allow it and nothing is fetched from a CDN.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.async_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SEVERE = ("critical", "serious")


def _source() -> str:
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `npm ci` (make test does)")
    return AXE.read_text(encoding="utf-8")


async def severe_violations(page: Page, include: str | None = None) -> list[dict[str, Any]]:
    """The critical and serious axe violations on the page (or inside the `include` selector)."""
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.evaluate(_source())
    context = json.dumps({"include": [include]} if include else None)
    result: dict[str, Any] = await page.evaluate(
        f"""async () => {{
            const ctx = {context};
            const r = await (ctx ? window.axe.run(ctx) : window.axe.run(document));
            return {{violations: r.violations.map(v => ({{
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({{target: n.target, summary: n.failureSummary}}))
            }}))}};
        }}"""
    )
    return [v for v in result["violations"] if v["impact"] in SEVERE]


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable list for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} — {v['help']}")
        for n in v["nodes"][:5]:
            lines.append(f"    {n['target']}: {n['summary']}")
    return "\n".join(lines)
