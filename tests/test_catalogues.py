"""Every text in every language: the widget's and the console's JSON catalogues and the server's
gettext catalogues have the same keys in English, Danish, Swedish, Dutch and German, none of them
empty, with the same placeholders; every key the code uses is in the English catalogue."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from app.common.i18n import LANGUAGES, po_path

ROOT = Path(__file__).resolve().parent.parent
WIDGET_I18N = ROOT / "widget" / "i18n"
CONSOLE_I18N = ROOT / "console" / "i18n"
# {name} in the JSON catalogues, %(name)s in the gettext ones.
BRACES = re.compile(r"\{(\w+)\}")
PERCENT = re.compile(r"%\((\w+)\)s")
# t("key") / lt("key"), and the keys of a conditional inside the call: t(ok ? "a" : "b").
CALL = re.compile(r"\b(l?t)\(([^()]*)")
KEY = re.compile(r"""["']([a-z][a-z0-9_]*)["']""")
# Console scripts that are not ours to translate: vendored or generated.
NOT_OURS = {"uplot.js", "parley-protocol.js"}


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A key twice in one catalogue: JSON keeps the last silently, so a translation is lost."""
    keys = [k for k, _ in pairs]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    assert not twice, f"keys given twice: {twice}"
    return dict(pairs)


def _json(folder: Path, lang: str) -> dict[str, Any]:
    text = (folder / f"{lang}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text, object_pairs_hook=_unique)
    return data


def _flat(doc: dict[str, Any]) -> dict[str, str]:
    """``{"loader": {"bubble": ...}}`` as ``{"loader.bubble": ...}``."""
    out: dict[str, str] = {}
    for section, texts in doc.items():
        assert isinstance(texts, dict), section
        for key, text in texts.items():
            out[f"{section}.{key}"] = text
    return out


def _check_same_keys(folder: Path) -> dict[str, str]:
    english = _flat(_json(folder, "en"))
    assert english, f"{folder}/en.json is empty"
    assert {p.stem for p in folder.glob("*.json")} == set(LANGUAGES)
    for lang in LANGUAGES:
        texts = _flat(_json(folder, lang))
        assert set(texts) == set(english), (lang, set(texts) ^ set(english))
        for key, text in texts.items():
            assert isinstance(text, str), f"{lang}: {key} is not a text"
            assert text.strip(), f"{lang}: {key} is empty"
            assert set(BRACES.findall(text)) == set(BRACES.findall(english[key])), (lang, key)
    return english


def _used_keys(sources: list[Path]) -> dict[str, set[str]]:
    """The keys passed to ``t(...)`` (panel, console) and ``lt(...)`` (the loader)."""
    used: dict[str, set[str]] = {"t": set(), "lt": set()}
    for path in sources:
        for fn, args in CALL.findall(path.read_text(encoding="utf-8")):
            used[fn].update(KEY.findall(args))
    return used


def test_widget_catalogues_have_every_key_in_every_language() -> None:
    english = _check_same_keys(WIDGET_I18N)
    used = _used_keys(sorted((ROOT / "widget" / "src").rglob("*.js")))
    # The scan finds the calls (a scan that finds nothing would pass anything).
    assert len(used["t"]) > 40
    assert len(used["lt"]) >= 5
    assert {f"panel.{k}" for k in used["t"]} <= set(english), used["t"] - {
        k.split(".", 1)[1] for k in english if k.startswith("panel.")
    }
    assert {f"loader.{k}" for k in used["lt"]} <= set(english)


def test_the_survey_labels_are_in_the_catalogue() -> None:
    """The survey's five ratings are looked up by a computed key (views/survey.js)."""
    english = _flat(_json(WIDGET_I18N, "en"))
    assert all(f"panel.rating_{n}" in english for n in range(1, 6))


def test_console_catalogues_have_every_key_in_every_language() -> None:
    if not CONSOLE_I18N.is_dir():
        pytest.skip("the console has no catalogues")
    english = _check_same_keys(CONSOLE_I18N)
    static = ROOT / "console" / "static"
    # Every module of the console (the vendored chart library and the generated protocol
    # bundle carry no texts of ours) and every page template.
    sources = [p for p in sorted(static.rglob("*.js")) if p.name not in NOT_OURS]
    used = _used_keys(sources)
    for page in sorted((ROOT / "console" / "templates").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        used["t"].update(re.findall(r'data-i18n(?:-[a-z-]+)?="([a-z0-9_]+)"', html))
    assert len(used["t"]) > 400
    missing = {k for k in used["t"] if f"console.{k}" not in english}
    assert not missing, missing


def _po(lang: str) -> dict[str, str]:
    with po_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang)
    return {str(m.id): str(m.string) for m in catalog if m.id}


def test_server_catalogues_have_every_message_in_every_language() -> None:
    english = _po("en")
    assert english
    for lang in LANGUAGES:
        messages = _po(lang)
        assert set(messages) == set(english), (lang, set(messages) ^ set(english))
        for msgid, text in messages.items():
            assert text.strip(), f"{lang}: {msgid!r} is not translated"
            assert set(PERCENT.findall(text)) == set(PERCENT.findall(msgid)), (lang, msgid)


def test_every_server_message_in_the_code_is_in_the_catalogues() -> None:
    """What Babel extracts from the mail templates (Jinja2 ``{% trans %}``, ``_()``) and the
    server's code (``gettext(...)``) is exactly what the catalogues hold."""
    templates = ROOT / "app" / "mail" / "templates"
    found: set[str] = set()
    for path in sorted(templates.iterdir()):
        for _, message, _, _ in extract_from_file(
            "jinja2.ext.babel_extract",
            path,
            options={"extensions": "jinja2.ext.i18n", "trimmed": "false"},
        ):
            found.add(str(message))
    for path in sorted((ROOT / "app").rglob("*.py")):
        for _, message, _, _ in extract_from_file("python", path):
            found.add(str(message))
    assert len(found) >= 6
    assert found == set(_po("en")), found ^ set(_po("en"))
