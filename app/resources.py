"""Where the files Parley ships beside its code are: migrations, the widget, the console.

In a checkout (and an editable install) they are top-level folders of the repository; a wheel
carries them inside the ``app`` package (setup.py copies them there at build time), so an
installed ``parley`` finds them without the source tree.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """The folder ``name`` (``migrations``, ``widget`` or ``console``), installed or checked out."""
    packaged = _PACKAGE / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name
