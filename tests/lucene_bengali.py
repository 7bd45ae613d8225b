"""Lucene's BengaliAnalyzer, run through a JDK when Debian's liblucene8-java is installed (else None)."""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

JARS = ("lucene-core", "lucene-analyzers-common")
SOURCE = Path(__file__).parent / "benchmarks" / "LuceneBengali.java"


def _classpath() -> str | None:
    found = []
    for name in JARS:
        jars = sorted(Path("/usr/share/java").glob(f"{name}-8*.jar"))
        if not jars:
            return None
        found.append(str(jars[-1]))
    return ":".join(found)


@functools.cache
def _compiled() -> tuple[str, str] | None:
    classpath = _classpath()
    if classpath is None or shutil.which("javac") is None or shutil.which("java") is None:
        return None
    out = tempfile.mkdtemp(prefix="lucene-bengali-")
    subprocess.run(["javac", "-cp", classpath, "-d", out, str(SOURCE)], check=True, capture_output=True)
    return classpath, out


def why_unavailable() -> str:
    """A sentence saying what is missing for the Lucene comparison."""
    if _classpath() is None:
        return "Lucene is not installed (Debian package liblucene8-java)"
    return "no JDK (javac and java) on PATH"


def lucene_analyse(lines: list[str]) -> list[list[str]] | None:
    """The analysed tokens of each line by BengaliAnalyzer, or None when Lucene or a JDK is missing."""
    built = _compiled()
    if built is None:
        return None
    classpath, classes = built
    text = "\n".join(line.replace("\n", " ") for line in lines) + "\n"
    result = subprocess.run(["java", "-cp", f"{classpath}:{classes}", "LuceneBengali"], input=text.encode(),
                            check=True, capture_output=True)
    return [line.split() for line in result.stdout.decode().split("\n")[: len(lines)]]
