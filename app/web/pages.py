"""Pages and assets: the widget script, the console, the demo shop."""

from __future__ import annotations

import hashlib

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from app.common.errors import NotFound
from app.common.i18n import LANGUAGES
from app.demo import DEMO_AGENTS, DEMO_SITE_KEY
from app.resources import shipped_dir
from app.web.assets import IMMUTABLE, REVALIDATE, SHORT, Asset, AssetDir, respond
from app.web.deps import StateDep

WIDGET_DIR = shipped_dir("widget")
CONSOLE_DIR = shipped_dir("console")
templates = Jinja2Templates(directory=str(CONSOLE_DIR / "templates"))
router = APIRouter(include_in_schema=False)
console_assets = AssetDir(CONSOLE_DIR / "static")
# The panel's texts, one JSON catalogue per language, fetched beside panel.js.
widget_i18n = AssetDir(WIDGET_DIR / "i18n")
# The console's texts, one JSON catalogue per language (console/static/i18n.js).
console_i18n = AssetDir(CONSOLE_DIR / "i18n")
_CSS_TOKEN = '/*__PARLEY_CSS__*/""'
_PANEL_VERSION_TOKEN = '/*__PARLEY_PANEL_VERSION__*/""'
_bundles: dict[str, tuple[tuple[tuple[int, int], ...], Asset]] = {}


def _bundle(script: str, css: str, tokens: dict[str, str] | None = None) -> Asset:
    """A widget bundle with its stylesheet (and any other server-filled token) inlined.

    Built once, and again only when one of its files changes on disk.
    """
    files = (WIDGET_DIR / script, WIDGET_DIR / css)
    stamps = tuple((st.st_mtime_ns, st.st_size) for st in (f.stat() for f in files))
    stamps += tuple((len(v), hash(v)) for v in (tokens or {}).values())
    cached = _bundles.get(script)
    if cached is None or cached[0] != stamps:
        code, style = (f.read_text(encoding="utf-8") for f in files)
        code = code.replace(_CSS_TOKEN, orjson.dumps(style).decode(), 1)
        for token, value in (tokens or {}).items():
            code = code.replace(token, orjson.dumps(value).decode(), 1)
        cached = (stamps, Asset.of(code.encode(), "text/javascript; charset=utf-8"))
        _bundles[script] = cached
    return cached[1]


def panel_asset() -> Asset:
    """panel.js (the chat panel, loaded by the widget when it opens) with widget.css inlined."""
    return _bundle("panel.js", "widget.css")


def panel_version() -> str:
    """The version of the panel's code and its texts together: a new catalogue is a new URL."""
    both = f"{panel_asset().version}:{widget_i18n.version()}".encode()
    return hashlib.sha256(both).hexdigest()[:16]


def widget_asset() -> Asset:
    """widget.js, the loader shops embed: the bubble's stylesheet inlined, and the panel's
    version, so the panel and its texts are fetched under URLs cached for a year."""
    return _bundle("widget.js", "loader.css", {_PANEL_VERSION_TOKEN: panel_version()})


def widget_url() -> str:
    """The widget's versioned URL, cacheable for a year; shops embed the plain ``/widget.js``."""
    return f"/widget.js?v={widget_asset().version}"


def _page_context() -> dict[str, str]:
    return {"app_name": "Parley", "static_base": f"/console/assets/{console_assets.version()}"}


@router.api_route("/widget.js", methods=["GET", "HEAD"])
async def widget_js(request: Request) -> Response:
    asset = widget_asset()
    versioned = request.query_params.get("v") == asset.version
    return respond(
        request,
        asset,
        IMMUTABLE if versioned else SHORT,
        headers={"Access-Control-Allow-Origin": "*"},
    )


@router.api_route("/widget/panel.js", methods=["GET", "HEAD"])
async def widget_panel_js(request: Request) -> Response:
    """The panel's code, asked for by widget.js under the version it was built with."""
    asset = panel_asset()
    versioned = request.query_params.get("v") == panel_version()
    return respond(
        request,
        asset,
        IMMUTABLE if versioned else SHORT,
        headers={"Access-Control-Allow-Origin": "*"},
    )


@router.api_route("/widget/i18n/{language}.json", methods=["GET", "HEAD"])
async def widget_texts(request: Request, language: str) -> Response:
    """The panel's texts in one language, asked for with the panel under the same version."""
    asset = widget_i18n.get(f"{language}.json") if language in LANGUAGES else None
    if asset is None:
        raise NotFound(f"no widget texts for {language!r}")
    versioned = request.query_params.get("v") == panel_version()
    return respond(
        request,
        asset,
        IMMUTABLE if versioned else SHORT,
        headers={"Access-Control-Allow-Origin": "*"},
    )


@router.api_route("/console/assets/{version}/{name}", methods=["GET", "HEAD"])
async def console_asset(request: Request, version: str, name: str) -> Response:
    """A console file under the folder's version: cached for a year while the version is current."""
    asset = console_assets.get(name)
    if asset is None:
        raise NotFound(f"no console asset {name!r}")
    current = version == console_assets.version()
    return respond(request, asset, IMMUTABLE if current else REVALIDATE)


@router.api_route("/console/i18n/{language}.json", methods=["GET", "HEAD"])
async def console_texts(request: Request, language: str) -> Response:
    """The console's texts in one language; revalidated on every use (an ETag makes it cheap)."""
    asset = console_i18n.get(f"{language}.json") if language in LANGUAGES else None
    if asset is None:
        raise NotFound(f"no console texts for {language!r}")
    return respond(request, asset, REVALIDATE)


@router.api_route("/console/static/{name}", methods=["GET", "HEAD"])
async def console_static(request: Request, name: str) -> Response:
    """A console file under its plain name (older pages, tools): revalidated on every use."""
    asset = console_assets.get(name)
    if asset is None:
        raise NotFound(f"no console asset {name!r}")
    return respond(request, asset, REVALIDATE)


@router.api_route("/favicon.ico", methods=["GET", "HEAD"])
async def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico on their own; pages link the same icon under its version."""
    asset = console_assets.get("favicon.svg")
    assert asset is not None
    return respond(request, asset, "public, max-age=86400")


@router.get("/console", response_class=HTMLResponse)
async def console(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "agent.html", _page_context())


@router.get("/console/supervisor", response_class=HTMLResponse)
async def supervisor(request: Request) -> HTMLResponse:
    """The supervisor view; its data needs a supervisor's or admin's token (checked by the API)."""
    return templates.TemplateResponse(request, "supervisor.html", _page_context())


@router.get("/console/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request) -> HTMLResponse:
    """The KPI dashboard; its figures need a supervisor's or admin's token (checked by the API)."""
    return templates.TemplateResponse(request, "dashboard.html", _page_context())


@router.get("/console/archive", response_class=HTMLResponse)
async def archive(request: Request) -> HTMLResponse:
    """Past chats: search, read, export; what an agent may read is checked by the API."""
    return templates.TemplateResponse(request, "archive.html", _page_context())


@router.get("/console/triggers", response_class=HTMLResponse)
async def triggers_page(request: Request) -> HTMLResponse:
    """Proactive-invitation triggers for admins; the API checks the role."""
    return templates.TemplateResponse(request, "triggers.html", _page_context())


@router.api_route("/widget/loader.css", methods=["GET", "HEAD"])
async def widget_loader_css(request: Request) -> Response:
    """The loader's stylesheet on its own: the console's teaser preview draws with it, so the
    preview looks exactly like the teaser on the shop."""
    path = WIDGET_DIR / "loader.css"
    stamp = path.stat().st_mtime_ns
    if _loader_css.get("stamp") != stamp:
        _loader_css["stamp"] = stamp
        _loader_css["asset"] = Asset.of(path.read_bytes(), "text/css; charset=utf-8")
    asset = _loader_css["asset"]
    assert isinstance(asset, Asset)
    return respond(request, asset, REVALIDATE)


_loader_css: dict[str, object] = {}


@router.get("/console/visitors", response_class=HTMLResponse)
async def visitors(request: Request) -> HTMLResponse:
    """Who is on the site now, live; the list comes over the agent socket (visitors.watch)."""
    return templates.TemplateResponse(request, "visitors.html", _page_context())


@router.get("/console/admin", response_class=HTMLResponse)
async def admin(request: Request) -> HTMLResponse:
    """Setting up the shop: sites, agents, skills, saved replies, routing (admins write,
    supervisors read; the API decides)."""
    return templates.TemplateResponse(request, "admin.html", _page_context())


@router.get("/console/widget-preview", response_class=HTMLResponse)
async def widget_preview(request: Request) -> HTMLResponse:
    """A look at the widget's colour, greeting and logo, drawn from its query (no socket, no
    visitor): the admin page shows it in a frame while the form is edited."""
    return templates.TemplateResponse(request, "widget-preview.html", _page_context())


@router.get("/demo", response_class=HTMLResponse)
async def demo(request: Request, state: StateDep) -> HTMLResponse:
    if not state.settings.demo:
        raise NotFound("the demo is off (start with --demo)")
    return templates.TemplateResponse(
        request,
        "demo.html",
        {
            "site_key": DEMO_SITE_KEY,
            "widget_src": widget_url(),
            "static_base": _page_context()["static_base"],
            "agents": DEMO_AGENTS,
        },
    )


@router.get("/")
async def index(state: StateDep) -> Response:
    target = "/demo" if state.settings.demo else "/console"
    return Response(status_code=307, headers={"Location": target})
