"""The widget and the console's files go out compressed, with ETags, cached as long as is safe."""

from __future__ import annotations

import re

import httpx

from tests.support import Server

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


def get(url: str, **headers: str) -> httpx.Response:
    return httpx.get(url, headers=headers, timeout=10)


def assert_compressed_with_etag(url: str, cache_control: str) -> None:
    plain = get(url, **IDENTITY)
    packed = get(url, **GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # httpx decoded it: the same file
    assert packed.num_bytes_downloaded < len(plain.content) / 2
    assert packed.headers["cache-control"] == plain.headers["cache-control"] == cache_control
    assert "Accept-Encoding" in packed.headers["vary"]
    for response, headers in ((packed, GZIP), (plain, IDENTITY)):
        etag = response.headers["etag"]
        again = get(url, **headers, **{"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.content == b""
        assert again.headers["etag"] == etag
    assert plain.headers["etag"] != packed.headers["etag"]  # one strong ETag per encoding
    assert get(url, **GZIP, **{"If-None-Match": '"stale"'}).status_code == 200


def test_widget_is_gzipped_with_etag_and_cached_for_its_version(module_server: Server) -> None:
    server = module_server
    assert_compressed_with_etag(f"{server.base}/widget.js", "public, max-age=300")
    embed = get(f"{server.base}/widget.js")
    assert embed.headers["access-control-allow-origin"] == "*"
    assert embed.headers["content-type"] == "text/javascript; charset=utf-8"

    demo_page = get(f"{server.base}/demo").text
    match = re.search(r'src="(/widget\.js\?v=[0-9a-f]+)"', demo_page)
    assert match is not None
    assert_compressed_with_etag(server.base + match[1], "public, max-age=31536000, immutable")
    # A version that is not the current one must not be cached for a year.
    old = get(f"{server.base}/widget.js?v=0000000000000000")
    assert old.headers["cache-control"] == "public, max-age=300"


def test_the_panel_is_fetched_under_the_version_the_loader_names(module_server: Server) -> None:
    """widget.js names the current version of the panel and its texts, so the panel and its
    catalogues are cached for a year; the loader itself is small (the panel, its stylesheet
    included, comes only when it opens)."""
    server = module_server
    loader = get(f"{server.base}/widget.js", **IDENTITY)
    unversioned = get(f"{server.base}/widget/panel.js", **IDENTITY)
    assert unversioned.headers["cache-control"] == "public, max-age=300"
    # The panel's version covers its code and its texts (a new catalogue is a new URL).
    [version] = set(re.findall(r'"([0-9a-f]{16})"', loader.text))
    assert get(f"{server.base}/widget/panel.js?v=stale").headers["cache-control"] == (
        "public, max-age=300"
    )
    texts_url = f"{server.base}/widget/i18n/da.json?v={version}"
    assert_compressed_with_etag(texts_url, "public, max-age=31536000, immutable")
    texts = get(texts_url)
    assert texts.headers["access-control-allow-origin"] == "*"
    assert texts.json()["panel"]["start_chat"] == "Start chat"  # Danish says it the same way
    assert texts.json()["panel"]["name_label"] == "Dit navn"
    assert get(f"{server.base}/widget/i18n/xx.json?v={version}").status_code == 404
    panel_url = f"{server.base}/widget/panel.js?v={version}"
    assert_compressed_with_etag(panel_url, "public, max-age=31536000, immutable")
    panel = get(panel_url)
    assert panel.headers["access-control-allow-origin"] == "*"
    assert panel.headers["content-type"] == "text/javascript; charset=utf-8"
    assert panel.content == unversioned.content
    assert ".composer" in panel.text  # the panel's stylesheet, inlined by the server
    assert ".composer" not in loader.text
    assert ".bubble" in loader.text
    # A visitor who never opens the panel pays for the loader only.
    assert len(loader.content) < len(panel.content)
    assert get(f"{server.base}/widget.js", **GZIP).num_bytes_downloaded < 12_000


def test_console_assets_are_gzipped_versioned_and_revalidated(module_server: Server) -> None:
    server = module_server
    page = get(f"{server.base}/console").text
    match = re.search(r'src="(/console/assets/[0-9a-f]+)/agent\.js"', page)
    assert match is not None
    base = server.base + match[1]
    assert f'href="{match[1]}/agent.css"' in page
    assert f'rel="icon" type="image/svg+xml" href="{match[1]}/favicon.svg"' in page
    for name in ("agent.js", "agent.css", "parley-client.js", "messages.js"):
        assert_compressed_with_etag(f"{base}/{name}", "public, max-age=31536000, immutable")
    assert_compressed_with_etag(f"{server.base}/console/static/agent.js", "no-cache")
    assert get(f"{base}/no-such.js").status_code == 404
    assert get(f"{base}/..%2Fapp%2Fconfig.py").status_code == 404


def test_favicon(module_server: Server) -> None:
    server = module_server
    icon = get(f"{server.base}/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/svg+xml"
    assert icon.content.startswith(b"<svg")
    assert "etag" in icon.headers
