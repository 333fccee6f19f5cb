"""Pages and assets: the widget script, the console, the demo shop."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from app.common.errors import NotFound
from app.demo import DEMO_AGENTS, DEMO_SITE_KEY
from app.web.deps import StateDep

ROOT = Path(__file__).resolve().parents[2]
WIDGET_DIR = ROOT / "widget"
CONSOLE_DIR = ROOT / "console"
templates = Jinja2Templates(directory=str(CONSOLE_DIR / "templates"))
router = APIRouter(include_in_schema=False)
_CSS_TOKEN = '/*__PARLEY_CSS__*/""'


@lru_cache(maxsize=1)
def widget_script() -> bytes:
    """widget.js with its stylesheet inlined: one request, one file for the shop to embed."""
    script = (WIDGET_DIR / "widget.js").read_text(encoding="utf-8")
    css = (WIDGET_DIR / "widget.css").read_text(encoding="utf-8")
    return script.replace(_CSS_TOKEN, orjson.dumps(css).decode(), 1).encode()


@router.get("/widget.js")
async def widget_js() -> Response:
    return Response(
        widget_script(),
        media_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )


@router.get("/console", response_class=HTMLResponse)
async def console(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "agent.html", {"app_name": "Parley", "static_base": "/console/static"}
    )


@router.get("/console/supervisor", response_class=HTMLResponse)
async def supervisor(request: Request) -> HTMLResponse:
    """The supervisor view; its data needs a supervisor's or admin's token (checked by the API)."""
    return templates.TemplateResponse(
        request, "supervisor.html", {"app_name": "Parley", "static_base": "/console/static"}
    )


@router.get("/demo", response_class=HTMLResponse)
async def demo(request: Request, state: StateDep) -> HTMLResponse:
    if not state.settings.demo:
        raise NotFound("the demo is off (start with --demo)")
    return templates.TemplateResponse(
        request,
        "demo.html",
        {
            "site_key": DEMO_SITE_KEY,
            "widget_src": "/widget.js",
            "static_base": "/console/static",
            "agents": DEMO_AGENTS,
        },
    )


@router.get("/")
async def index(state: StateDep) -> Response:
    target = "/demo" if state.settings.demo else "/console"
    return Response(status_code=307, headers={"Location": target})
