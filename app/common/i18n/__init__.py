"""The languages Parley speaks, and the server's own texts (e-mails) in each of them.

The server's texts are gettext catalogues, ``locales/<lang>/LC_MESSAGES/messages.po``, read
with Babel at first use (no compile step: the ``.po`` files are the catalogues). The widget's
and the console's texts are JSON catalogues of their own (widget/i18n, console/i18n).
"""

from __future__ import annotations

from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path
from typing import Literal

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

Language = Literal["en", "da", "sv", "nl", "de"]
LANGUAGES: tuple[Language, ...] = ("en", "da", "sv", "nl", "de")
DEFAULT: Language = "en"
LOCALES = Path(__file__).resolve().parent / "locales"


def po_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / "messages.po"


def known(language: object) -> Language:
    """``language`` if Parley speaks it, else English."""
    for lang in LANGUAGES:
        if lang == language:
            return lang
    return DEFAULT


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> NullTranslations:
    """The server's texts in ``language``: its .po file, compiled in memory once."""
    import io

    lang = known(language)
    with po_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def locale(language: str) -> Locale:
    """Babel's locale for dates and numbers in ``language``."""
    return Locale.parse(known(language))
