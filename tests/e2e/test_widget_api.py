"""The widget's JavaScript API and visit tracking in headless Chromium: calls queued before the
script loads, Parley.track and SPA page views as an agent sees them, deep links, on() events,
and a panel whose code loads only when it opens."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.async_api import (
    Browser,
    Page,
    Request,
    WebSocketRoute,
    expect,
)

from tests.conftest import ALICE, DEMO_SITE_KEY
from tests.e2e.conftest import fill_prechat, open_console
from tests.support import Server, eventually

pytestmark = pytest.mark.browser

PANEL = re.compile(r"/widget/panel\.js")


class Shop:
    """A shop's own web server (another origin than Parley's, as in real life): every path
    answers with ``html``, as a single-page app's server does."""

    def __init__(self) -> None:
        self.html = ""
        shop = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = shop.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def shop() -> Iterator[Shop]:
    s = Shop()
    try:
        yield s
    finally:
        s.close()


def shop_page(server: Server, head: str = "", body: str = "") -> str:
    """A shop's page with the widget embedded the way shops paste it; ``head`` runs before the
    widget's script has loaded."""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Test shop</title>
<script>{head}</script></head>
<body><h1>Test shop</h1>{body}
<script src="{server.base}/widget.js" data-site-key="{DEMO_SITE_KEY}" async></script>
</body></html>"""


async def visitor_view(server: Server, visitor_id: str) -> dict[str, Any]:
    """GET /visitors/{id} as an agent of the site sees it."""

    def get() -> dict[str, Any]:
        token = server.login(*ALICE)
        r = httpx.get(
            f"{server.base}/api/v1/visitors/{visitor_id}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        r.raise_for_status()
        data: dict[str, Any] = r.json()
        return data

    return await asyncio.to_thread(get)


async def visitor_id_of(page: Page) -> str:
    """The visitor's id, once the widget is ready."""
    await page.wait_for_function("window.readyDetail && window.readyDetail.visitor_id")
    value: str = await page.evaluate("window.readyDetail.visitor_id")
    return value


READY = 'Parley.push(["on", "ready", function (d) { window.readyDetail = d; }]);'


async def eventually_view(server: Server, visitor_id: str, check: Any, what: str) -> dict[str, Any]:
    """The visitor as agents see them, once ``check(view)`` holds (frames are handled async)."""
    latest: dict[str, Any] = {}

    async def poll() -> bool:
        nonlocal latest
        latest = await visitor_view(server, visitor_id)
        return bool(check(latest))

    deadline = asyncio.get_running_loop().time() + 10
    while not await poll():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within 10 s: {what}; last seen {latest}")
        await asyncio.sleep(0.1)
    return latest


async def _signed(server: Server, user_id: str) -> str:
    """The identity hash a shop's back end would render for ``user_id`` (docs/crm.md): a
    ``user`` whose hash does not verify is refused."""
    admin = await asyncio.to_thread(server.login, "admin@demo.parley", "admin-demo")
    headers = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(base_url=server.base, timeout=30, headers=headers) as http:
        site_id = (await http.get("/api/v1/agents/me")).json()["site_id"]
        secret = (await http.post(f"/api/v1/sites/{site_id}/identity-secret")).json()["secret"]
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


async def test_calls_queued_before_the_script_loads_are_replayed_in_order(
    server: Server, browser: Browser, shop: Shop
) -> None:
    context = await browser.new_context()
    signature = await _signed(server, "cust-42")
    head = (
        "window.Parley = window.Parley || []; window.log = [];"
        + READY
        + 'Parley.push(["on", "open", function () { window.log.push("open"); }]);'
        'Parley.push(["setUser", {id: "cust-42", email: "maja@example.com", name: "Maja",'
        f' hash: "{signature}"}}]);'
        'Parley.push(["track", "cart.updated", {value: 10}]);'
        'Parley.push(["open"]);'
        'Parley.push(["track", "cart.updated", {value: 42, currency: "EUR"}]);'
        'Parley.push(["track", "trial_started"]);'
    )
    shop.html = shop_page(server, head)
    page = await context.new_page()
    sessions: list[Request] = []
    page.on(
        "request",
        lambda r: sessions.append(r) if r.url.endswith("/api/v1/widget/session") else None,
    )
    await page.goto(f"{shop.base}/shop/product")

    # open: the panel shows and the page's listener heard it.
    await expect(page.locator("[data-testid=parley-panel]")).to_be_visible()
    assert await page.evaluate("window.log") == ["open"]
    # setUser travelled with the (first and only) widget session.
    assert len(sessions) == 1
    assert json.loads(sessions[0].post_data or "{}")["user"] == {
        "id": "cust-42",
        "email": "maja@example.com",
        "name": "Maja",
        "hash": signature,
    }
    # After load, push keeps working, and so do the methods.
    assert await page.evaluate("typeof window.Parley.track") == "function"
    await page.evaluate('window.Parley.push(["track", "checkout.failed", {reason: "card"}])')

    # The agent sees the events in the order the page made them, on the page they came from.
    visitor_id = await visitor_id_of(page)
    view = await eventually_view(
        server, visitor_id, lambda v: len(v["events"]) == 4, "four events stored"
    )
    assert [(e["name"], e["data"]) for e in reversed(view["events"])] == [
        ("cart.updated", {"value": 10}),
        ("cart.updated", {"value": 42, "currency": "EUR"}),
        ("trial_started", {}),
        ("checkout.failed", {"reason": "card"}),
    ]
    assert {e["url"] for e in view["events"]} == {f"{shop.base}/shop/product"}
    assert [p["url"] for p in view["pages"]] == [f"{shop.base}/shop/product"]
    await context.close()


async def test_spa_navigation_sends_page_views(
    server: Server, browser: Browser, shop: Shop
) -> None:
    context = await browser.new_context()
    shop.html = shop_page(server, "window.Parley = []; " + READY)
    page = await context.new_page()
    await page.goto(f"{shop.base}/shop/")
    visitor_id = await visitor_id_of(page)
    await eventually_view(server, visitor_id, lambda v: len(v["pages"]) == 1, "the first page")

    # A framework's navigation: the address changes, then the title.
    await page.evaluate(
        "history.pushState({}, '', '/shop/pricing'); document.title = 'Pricing';"
        "history.replaceState({x: 1}, '', '/shop/pricing');"  # same page: not counted again
        "location.hash = 'plans';"  # an anchor on it: not counted either
    )
    await page.evaluate("history.pushState({}, '', '/shop/cart'); document.title = 'Cart';")
    await page.evaluate("history.back()")  # popstate: back on the pricing page
    view = await eventually_view(
        server, visitor_id, lambda v: len(v["pages"]) == 4, "four page views"
    )
    assert [(p["url"].removeprefix(shop.base), p["title"]) for p in reversed(view["pages"])] == [
        ("/shop/", "Test shop"),
        ("/shop/pricing", "Pricing"),
        ("/shop/cart", "Cart"),
        ("/shop/pricing#plans", "Cart"),  # back: the page keeps the title the SPA left
    ]

    # Each navigation is stored as it happens.
    await page.evaluate("history.pushState({}, '', '/shop/checkout'); document.title = 'Checkout';")
    await eventually_view(
        server,
        visitor_id,
        lambda v: v["pages"][0]["url"].endswith("/shop/checkout"),
        "the checkout page view",
    )
    await context.close()


async def test_a_deep_link_opens_the_panel_with_the_department(
    server: Server, browser: Browser
) -> None:
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{server.base}/demo?parley=open&department=billing")
    await expect(page.locator("[data-testid=parley-panel]")).to_be_visible()
    await expect(page.locator("[data-testid=prechat-department]")).to_have_value("billing")
    await expect(page.locator("[data-testid=parley-bubble]")).to_have_attribute(
        "aria-expanded", "true"
    )

    # #parley opens it too, on load or when a link on the page sets it.
    other = await (await browser.new_context()).new_page()
    await other.goto(f"{server.base}/demo#parley")
    await expect(other.locator("[data-testid=parley-panel]")).to_be_visible()
    await expect(other.locator("[data-testid=prechat-department]")).to_have_value("")
    await other.evaluate("Parley.close()")
    await expect(other.locator("[data-testid=parley-panel]")).to_be_hidden()
    await other.evaluate("location.hash = ''; location.hash = 'parley'")
    await expect(other.locator("[data-testid=parley-panel]")).to_be_visible()

    # Without a deep link the panel stays closed.
    plain = await (await browser.new_context()).new_page()
    await plain.goto(f"{server.base}/demo?department=billing")
    await expect(plain.locator("[data-testid=parley-bubble]")).to_be_visible()
    await expect(plain.locator("[data-testid=parley-panel]")).to_have_count(0)


async def test_the_panel_code_loads_only_when_the_panel_opens(
    server: Server, browser: Browser, shop: Shop
) -> None:
    context = await browser.new_context()
    shop.html = shop_page(server, "window.Parley = []; " + READY)
    page = await context.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if PANEL.search(r.url) else None)
    await page.goto(f"{shop.base}/shop/")
    visitor_id = await visitor_id_of(page)
    # The visit is counted (its socket is open and has been used) without the panel's code.
    await eventually_view(server, visitor_id, lambda v: len(v["pages"]) == 1, "the page view")
    await page.evaluate("Parley.track('cart.updated', {value: 5})")
    await eventually_view(server, visitor_id, lambda v: len(v["events"]) == 1, "the event")
    await expect(page.locator("[data-testid=parley-bubble]")).to_be_visible()
    assert fetched == []
    assert await page.evaluate("document.querySelectorAll('script').length") == 2

    await page.click("[data-testid=parley-bubble]")
    await expect(page.locator("[data-testid=parley-panel]")).to_be_visible()
    await page.evaluate("Parley.close()")
    await expect(page.locator("[data-testid=parley-panel]")).to_be_hidden()
    await page.click("[data-testid=parley-bubble]")
    await expect(page.locator("[data-testid=parley-panel]")).to_be_visible()
    assert len(fetched) == 1
    assert re.search(r"/widget/panel\.js\?v=[0-9a-f]{16}$", fetched[0])
    await context.close()


class Injector:
    """Lets the page's visitor socket through, and can hand the page a frame of our own (the
    trigger engine's `invitation` is not on this server yet)."""

    def __init__(self) -> None:
        self.routes: list[WebSocketRoute] = []

    async def route(self, ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        self.routes.append(ws)


async def test_on_hears_open_close_message_and_invitation(
    server: Server, browser: Browser, shop: Shop
) -> None:
    context = await browser.new_context()
    head = (
        "window.Parley = window.Parley || []; window.heard = [];"
        + READY
        + "['open', 'close', 'message', 'invitation'].forEach(function (e) {"
        "  Parley.push(['on', e, function (d) { window.heard.push([e, d || null]); }]); });"
        "Parley.push(['on', 'nonsense', function () {}]);"  # a warning, nothing else
    )
    shop.html = shop_page(server, head)
    page = await context.new_page()
    injector = Injector()
    await page.route_web_socket(re.compile(r".*/ws/visitor.*"), injector.route)
    await page.goto(f"{shop.base}/shop/")
    await visitor_id_of(page)
    await eventually(lambda: bool(injector.routes), what="the visitor socket")

    invitation = {
        "type": "invitation",
        "invitation_id": "inv-1",
        "trigger_id": "trg-1",
        "message": "Questions about our prices?",
        "agent": {"id": "a1", "name": "Alice Berg", "avatar_url": None},
    }
    injector.routes[0].send(json.dumps(invitation))
    await page.wait_for_function("window.heard.length === 1")
    assert await page.evaluate("window.heard") == [["invitation", invitation]]

    # The visitor opens the panel (as accepting an invitation would) and starts a chat.
    await page.evaluate("Parley.open()")
    await fill_prechat(page, "Maja", "Which battery fits?")
    console = await open_console(browser, server, *ALICE)
    await console.locator("[data-testid=chat-item]").click()
    await console.fill("[data-testid=composer]", "The 500 Wh one.")
    await console.click("[data-testid=send]")
    await page.wait_for_function(
        "window.heard.some(function (h) { return h[0] === 'message'"
        " && h[1].message.author.type === 'agent'; })"
    )
    # The agent sees what the shop's page reports in the visitor's trail, live.
    await page.evaluate("Parley.track('cart.updated', {value: 129})")
    await expect(console.locator("[data-testid=page-trail] li").first).to_contain_text(
        "Cart updated: 129"
    )
    await page.evaluate("Parley.close()")
    await page.wait_for_function("window.heard.some(function (h) { return h[0] === 'close'; })")
    heard = await page.evaluate("window.heard")
    assert [h[0] for h in heard if h[0] != "message"] == ["invitation", "open", "close"]
    answer = [
        h[1] for h in heard if h[0] == "message" and h[1]["message"]["author"]["type"] == "agent"
    ]
    assert len(answer) == 1
    assert answer[0]["message"]["body"] == "The 500 Wh one."
    assert answer[0]["message"]["author"]["name"] == "Alice Berg"
    assert answer[0]["chat_id"]
    await context.close()


async def test_two_visitors_in_two_browsers_stay_separate(
    server: Server, browser: Browser, shop: Shop
) -> None:
    pages: list[Page] = []
    for _ in range(2):
        context = await browser.new_context()
        shop.html = shop_page(server, "window.Parley = []; " + READY)
        pages.append(await context.new_page())
    maja, ola = pages
    for page, path in ((maja, "/shop/bikes"), (ola, "/shop/helmets")):
        await page.goto(shop.base + path)
    maja_id, ola_id = await visitor_id_of(maja), await visitor_id_of(ola)
    assert maja_id != ola_id
    await maja.evaluate("Parley.track('cart.updated', {value: 1299})")
    await ola.evaluate("Parley.track('order.completed', {order_id: 'A-7', value: 49.5})")
    await ola.evaluate("history.pushState({}, '', '/shop/thanks')")

    maja_view = await eventually_view(
        server, maja_id, lambda v: len(v["events"]) == 1, "Maja's event"
    )
    ola_view = await eventually_view(
        server, ola_id, lambda v: len(v["events"]) == 1 and len(v["pages"]) == 2, "Ola's"
    )
    assert [(e["name"], e["data"]) for e in maja_view["events"]] == [
        ("cart.updated", {"value": 1299})
    ]
    assert [p["url"].removeprefix(shop.base) for p in maja_view["pages"]] == ["/shop/bikes"]
    assert [(e["name"], e["data"]) for e in ola_view["events"]] == [
        ("order.completed", {"order_id": "A-7", "value": 49.5})
    ]
    assert [p["url"].removeprefix(shop.base) for p in ola_view["pages"]] == [
        "/shop/thanks",
        "/shop/helmets",
    ]
