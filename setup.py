"""Build step: the wheel carries migrations/, widget/ and console/ inside the ``app`` package.

They live at the top of the repository (where Alembic, the widget's and the console's authors
expect them); an installed ``parley`` finds them under ``app/`` (see app/resources.py). All
other packaging settings are in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("migrations", "widget", "console")


class BuildPyWithShippedFolders(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout
        for name in SHIPPED:
            target = Path(self.build_lib) / "app" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(
                Path(__file__).resolve().parent / name,
                target,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )


setup(cmdclass={"build_py": BuildPyWithShippedFolders})
