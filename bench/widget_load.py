"""What the widget costs a shop's page: the loader's bytes, and the time it adds to loading the
page in headless Chromium, against the same page without the widget, measured in one run.

    .venv/bin/python -m bench.widget_load [--runs 25]

The demo shop's page is served from a server of its own (another origin, as a real shop is),
once with the widget's tag and once without. Each load is a fresh browser context (nothing
cached). Reported, median of the runs, in ms: ``load`` (the page's load event; an ``async``
script delays it until it has run), ``dcl`` (DOMContentLoaded, which an async script does not
wait for), the main thread's time in scripts and in layout (Chromium's own counters, until the
bubble shows), and for the widget page ``bubble`` (the bubble on screen: loader, widget session,
mount) and ``script_ms`` (fetching widget.js). Twice: over loopback, and with the network
throttled to a slow mobile link (1.6 Mbit/s, 150 ms RTT).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import re
import statistics
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, async_playwright

from tests.conftest import running_server
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

SLOW = {"offline": False, "latency": 150, "downloadThroughput": 200_000, "uploadThroughput": 94_000}


def serve(pages: dict[str, str]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0], "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def sizes(base: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, path in (("loader", "/widget.js"), ("panel", "/widget/panel.js")):
        raw = httpx.get(base + path, headers={"Accept-Encoding": "identity"}, timeout=10)
        if raw.status_code != 200:
            continue  # a Parley from before the split: one bundle, no panel.js
        packed = httpx.get(base + path, headers={"Accept-Encoding": "gzip"}, timeout=10)
        out[f"{name}_raw"] = len(raw.content)
        out[f"{name}_gzip"] = packed.num_bytes_downloaded
        out[f"{name}_gzip_check"] = len(gzip.compress(raw.content, 9))
    return out


async def load_once(browser: Browser, url: str, widget: bool, slow: bool) -> dict[str, float]:
    context = await browser.new_context()
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    if slow:
        await cdp.send("Network.enable")
        await cdp.send("Network.emulateNetworkConditions", SLOW)
    await cdp.send("Performance.enable")
    await page.goto(url, wait_until="load")
    timing = await page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {load: n.loadEventStart, dcl: n.domContentLoadedEventStart}; })()"
    )
    if widget:
        await page.wait_for_selector("[data-testid=parley-bubble]", timeout=60_000)
        timing["bubble"] = await page.evaluate("performance.now()")
        timing["script_ms"] = await page.evaluate(
            "(() => { const r = performance.getEntriesByType('resource')"
            ".find(e => /widget\\.js/.test(e.name)); return r ? r.duration : 0; })()"
        )
        assert await page.evaluate("!document.querySelector('script[src*=\"panel.js\"]')")
    # Main-thread time spent in scripts (parse, compile, run) and layout, per Chromium itself.
    metrics = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
    timing["script_main_thread_ms"] = metrics["ScriptDuration"] * 1000
    timing["layout_ms"] = metrics["LayoutDuration"] * 1000
    await context.close()
    return {k: float(v) for k, v in timing.items()}


async def measure(runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, running_server(Path(tmp)) as server:
        demo = (await asyncio.to_thread(httpx.get, f"{server.base}/demo", timeout=10)).text
        with_widget = demo.replace("<head>", f'<head><base href="{server.base}/">', 1)
        without = re.sub(r"<script src=\"/widget\.js[^>]*></script>", "", with_widget)
        assert without != with_widget
        httpd, shop = serve({"/with": with_widget, "/without": without})
        results: dict[str, Any] = {"bytes": await asyncio.to_thread(sizes, server.base)}
        try:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for slow in (False, True):
                    n = runs if not slow else max(5, runs // 3)
                    samples: dict[str, list[dict[str, float]]] = {"without": [], "with": []}
                    for _ in range(n):  # interleaved, so drift hits both alike
                        samples["without"].append(
                            await load_once(browser, shop + "/without", False, slow)
                        )
                        samples["with"].append(await load_once(browser, shop + "/with", True, slow))
                    med: dict[str, Any] = {
                        kind: {
                            key: round(statistics.median(s[key] for s in rows), 1)
                            for key in rows[0]
                        }
                        for kind, rows in samples.items()
                    }
                    for key in ("load", "dcl", "script_main_thread_ms", "layout_ms"):
                        added = med["with"][key] - med["without"][key]
                        med[f"added_{key}"] = round(added, 1)
                    results["slow_3g" if slow else "loopback"] = {"runs": n, **med}
                await browser.close()
        finally:
            httpd.shutdown()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.runs)), indent=2))


if __name__ == "__main__":
    main()
