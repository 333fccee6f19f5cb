"""A wheel built from the repository installs into a fresh virtualenv and serves the demo.

The wheel is built the standard way (``pip wheel``; its build backend comes from the package
index or pip's cache), installed without dependencies into a new virtualenv, and that
virtualenv then borrows the dependencies of the interpreter running the tests through a
``.pth`` file, so the test needs no network for them. The ``.pth`` line adds that
site-packages as a plain path: its own ``.pth`` files (this checkout's editable install among
them) are not run, so ``app`` can only come from the wheel. The server runs outside the checkout
with no PYTHONPATH: whatever it serves, it found inside the installed package.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ALICE
from tests.databases import postgres_base
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.wheel,
    pytest.mark.skipif(
        postgres_base() is not None, reason="packaging does not depend on the database"
    ),
]


def run(*cmd: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def copy_checkout(target: Path) -> None:
    """The repository's files as a fresh clone would have them (tracked and new, not ignored)."""
    listed = run("git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@contextlib.contextmanager
def serving(parley: Path, workdir: Path, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (workdir / "server.log").open("wb")
    proc = subprocess.Popen(
        [parley, "serve", "--demo", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, (workdir / "server.log").read_text()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise AssertionError("the installed server did not become ready")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_wheel_installs_into_a_fresh_virtualenv_and_serves_the_demo(tmp_path: Path) -> None:
    source, dist, venv, workdir = (tmp_path / n for n in ("src", "dist", "venv", "run"))
    workdir.mkdir()
    copy_checkout(source)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source)
    [wheel] = dist.glob("parley-*.whl")

    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel)
    site = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    )
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "parley-test-dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n")

    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.pop("PYTHONPATH", None)
    env["PARLEY_LOG_LEVEL"] = "warning"
    installed = run(python, "-c", "import app; print(app.__file__)", cwd=workdir, env=env)
    assert Path(installed.strip()).is_relative_to(site)
    # The e-mails' gettext catalogues are in the wheel (read from the .po files at run time).
    texts = "from app.common.i18n import translations as t; print(t('da').gettext('You'))"
    assert run(python, "-c", texts, cwd=workdir, env=env).strip() == "Dig"

    with serving(venv / "bin" / "parley", workdir, env) as base:
        shipped = ("/widget/i18n/sv.json", "/console/i18n/de.json")
        for path in (
            "/widget.js",
            "/console",
            "/console/supervisor",
            "/demo",
            "/favicon.ico",
            *shipped,
        ):
            assert httpx.get(base + path, timeout=10).status_code == 200, path
        page = httpx.get(f"{base}/console", timeout=10).text
        assert "/console/assets/" in page
        login = httpx.post(
            f"{base}/api/v1/auth/login",
            json={"email": ALICE[0], "password": ALICE[1]},
            timeout=10,
        )
        assert login.status_code == 200  # the demo was seeded: every migration ran
    assert (workdir / "parley-demo.db").is_file()
