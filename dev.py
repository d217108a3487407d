#!/usr/bin/env python3
"""NovaSaaS developer entry point. Needs only Python 3.11+.

    python3 dev.py up      install, create the SQLite database, load the demo tenant, serve on :8000 with the worker
    python3 dev.py test    run the whole test suite on two workers (set DATABASE_URL=postgres://… for PostgreSQL)

Everything is installed into ./.venv from the lock file (uv.lock) with uv, which is itself installed
from PyPI into that venv on first use.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
TOOLS = ROOT / ".tools"  # a small venv holding only uv, which then manages .venv from uv.lock


def run(*cmd: str, env: dict[str, str] | None = None, check: bool = True) -> int:
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env, check=check).returncode


def ensure_env() -> dict[str, str]:
    if sys.version_info < (3, 11):
        sys.exit("NovaSaaS needs Python 3.11 or newer")
    uv = TOOLS / "bin" / "uv"
    if not uv.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(TOOLS)
        run(
            str(TOOLS / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "uv>=0.5,<1",
        )
    # Bytecode caches on, whatever the shell says: with PYTHONDONTWRITEBYTECODE every process (each
    # pytest-xdist worker of each CI step) compiled Django, pydantic, schemathesis and our modules again,
    # and pytest re-rewrote every test module's asserts (5-10 s of CPU per process).
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = {
        **inherited,
        "VIRTUAL_ENV": str(VENV),
        "UV_PROJECT_ENVIRONMENT": str(VENV),
        "UV_PYTHON": sys.executable,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    run(str(uv), "sync", "--frozen", "--quiet", env=env)
    return env


def up() -> None:
    env = ensure_env()
    env.setdefault("DEBUG", "1")
    manage = [str(BIN / "novasaas")]
    run(*manage, "migrate", "--no-input", env=env)
    run(*manage, "seed_demo", env=env)
    worker = subprocess.Popen([*manage, "worker"], cwd=ROOT, env=env)
    print("Serving NovaSaaS at http://127.0.0.1:8000 (worker pid %d). Ctrl+C stops both." % worker.pid, flush=True)
    try:
        run(*manage, "runserver", "127.0.0.1:8000", env=env, check=False)
    except KeyboardInterrupt:
        pass
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=10)


# Two workers (pytest-xdist; the PostgreSQL races take turns through a lock file, see
# platform/testing/fixtures.py) and the 25 slowest tests listed; later arguments win
# (``python3 dev.py test -n 0 path/to/test_x.py`` runs in one process).
TEST_DEFAULTS = ["-n", "2", "--durations=25"]


def test(args: list[str]) -> None:
    env = ensure_env()
    code = run(str(BIN / "pytest"), *TEST_DEFAULTS, *args, env=env, check=False)
    sys.exit(code)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"up", "test"}:
        sys.exit(__doc__)
    if sys.argv[1] == "up":
        up()
    else:
        test(sys.argv[2:])


if __name__ == "__main__":
    if shutil.which("python3") is None and not sys.executable:
        sys.exit("python3 not found")
    main()
