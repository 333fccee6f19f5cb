"""Mails built from Jinja2 templates: a text part and an HTML part, branded per site.

The HTML templates escape everything they are given (autoescape), so a visitor's ``<script>``
reaches the reader as text; the text templates are plain and need no escaping.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.common import i18n
from app.mail.outbox import Rendered
from app.sites.models import Site

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_COLOR = "#0f766e"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@lru_cache(maxsize=len(i18n.LANGUAGES))
def environment(language: str = i18n.DEFAULT) -> Environment:
    """The templates in ``language``: ``{% trans %}`` blocks read its gettext catalogue."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


def brand(site: Site, public_url: str) -> dict[str, str]:
    """The site's look in a mail: its name, its logo, its colour and a readable text colour on
    it. An uploaded logo needs PARLEY_PUBLIC_URL to be reachable from a mail reader; without it
    the mail shows the name alone."""
    name, color = site.name, site.theme_color
    logo = str(site.settings.get("logo_url") or "")
    if logo.startswith("/"):
        logo = f"{public_url}{logo}" if public_url else ""
    elif not logo.startswith("https://"):
        logo = ""
    color = color if color and _HEX.match(color) else DEFAULT_COLOR
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in (r, g, b)]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    on_color = "#111827" if 1.05 / (luminance + 0.05) < 3 else "#ffffff"
    return {"name": name, "color": color, "on_color": on_color, "logo": logo}


def render(
    name: str, subject: str, context: dict[str, Any], language: str = i18n.DEFAULT
) -> Rendered:
    """``name``.txt and ``name``.html with the same context, in ``language``."""
    env = environment(i18n.known(language))
    context = {**context, "lang": i18n.known(language)}
    text = env.get_template(f"{name}.txt").render(**context)
    html = env.get_template(f"{name}.html").render(**context)
    return Rendered(subject=subject, text=text, html=html)
