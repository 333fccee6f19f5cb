"""Regenerate the README screenshots: `.venv/bin/python scripts/screenshots.py`.

Starts a demo server on a scratch database, plays a short conversation in headless Chromium
(a visitor on the demo shop, Alice in the console, Sam in the supervisor view) and saves
docs/screenshots/{widget,console,supervisor,admin-sites,admin-agents,phone}.png.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from playwright.async_api import Page, async_playwright, expect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, fill_prechat  # noqa: E402
from tests.support import Server  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


async def login(page: Page, base: str, email: str, password: str) -> None:
    await page.goto(f"{base}/console")
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("[data-testid=login-submit]")
    await expect(page.locator("[data-testid=connection]")).to_have_text("Connected")


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(workdir=Path(tmp), database_url=f"sqlite+aiosqlite:///{tmp}/demo.db")
        server.start()
        try:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                size = {"width": 1280, "height": 800}
                console = await (await browser.new_context(viewport=size)).new_page()
                await login(console, server.base, "alice@demo.parley", "alice-demo")
                shop = await (await browser.new_context(viewport=size)).new_page()
                await shop.goto(f"{server.base}/demo")
                await shop.click("[data-testid=parley-bubble]")
                await fill_prechat(shop, "Maja",
                                   "Hi! Will the 500 Wh battery fit my 2019 Trailhead?")
                await console.locator("[data-testid=chat-item]").click()
                await console.fill("[data-testid=composer]",
                                   "Hi Maja! Yes — every Trailhead frame from 2017 on takes it.")
                await console.click("[data-testid=send]")
                await expect(shop.locator("[data-testid=message][data-author-type=agent]")) \
                    .to_have_count(1)
                await shop.fill("[data-testid=composer]", "Great, and how fast is delivery?")
                await shop.press("[data-testid=composer]", "Enter")
                await console.locator("[data-testid=mode-note]").click()
                await console.fill("[data-testid=composer]", "Returning customer, 2 orders")
                await console.click("[data-testid=send]")
                await console.locator("[data-testid=mode-public]").click()
                await shop.locator("[data-testid=composer]").press_sequentially("Tha")
                await console.wait_for_timeout(600)
                await shop.screenshot(path=str(OUT / "widget.png"))
                await console.screenshot(path=str(OUT / "console.png"))

                sam = await (await browser.new_context(viewport=size)).new_page()
                await login(sam, server.base, "sam@demo.parley", "sam-demo")
                await sam.select_option("[data-testid=status-select]", "away")
                await sam.wait_for_timeout(300)
                await sam.goto(f"{server.base}/console/supervisor")
                await sam.locator("[data-testid=chat-row]").first.click()
                await sam.fill("[data-testid=whisper]", "Mention the free battery recycling")
                await sam.click("[data-testid=send-whisper]")
                await sam.wait_for_timeout(600)
                await sam.evaluate("window.scrollTo(0, 0)")
                await sam.screenshot(path=str(OUT / "supervisor.png"), full_page=True)

                phone = await (await browser.new_context(
                    viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
                )).new_page()
                await phone.goto(f"{server.base}/demo")
                await phone.click("[data-testid=parley-bubble]")
                await fill_prechat(phone, "Jonas", "Do you ship to Aarhus before Christmas?")
                await console.locator("[data-testid=chat-item]", has_text="Jonas").click()
                await console.fill("[data-testid=composer]",
                                   "Hi Jonas! Yes: order by 20 December and it arrives in time.")
                await console.click("[data-testid=send]")
                await expect(phone.locator("[data-testid=message][data-author-type=agent]")) \
                    .to_have_count(1)
                await phone.wait_for_timeout(400)
                await phone.screenshot(path=str(OUT / "phone.png"))

                admin = await (await browser.new_context(viewport=size)).new_page()
                await login(admin, server.base, "admin@demo.parley", "admin-demo")
                for section in ("sites", "agents"):
                    await admin.goto(f"{server.base}/console/admin#/{section}")
                    await admin.wait_for_load_state("networkidle")
                    await admin.wait_for_timeout(600)
                    await admin.screenshot(path=str(OUT / f"admin-{section}.png"))
                await browser.close()
        finally:
            server.kill()
    print("wrote", ", ".join(str(p.relative_to(ROOT)) for p in sorted(OUT.glob("*.png"))))


if __name__ == "__main__":
    asyncio.run(main())
