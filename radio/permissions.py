"""The instance is private to the service user: folders 0700, files 0600, whatever the umask.

Survivor audio, the database, the secret key and backups live in the home and the media folder; any other
local account must not read them. ``radio init``, ``radio serve``, ``radio worker`` and ``radio backup`` set a
private umask for everything they create and tighten what is there; ``radio verify`` names what is looser.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from radio.config import Settings

PRIVATE_UMASK = 0o077
OPEN_BITS = 0o077  # any permission for the group or others


def _walk(root: Path) -> Iterator[Path]:
    if not root.exists():
        return
    yield root
    for folder, dirs, files in os.walk(root, followlinks=False):
        base = Path(folder)
        for name in (*dirs, *files):
            yield base / name


def private_roots(settings: Settings) -> list[Path]:
    """The folders that must be private: the home and the media folder (when it lives elsewhere)."""
    roots = [settings.home]
    media = settings.media_path
    if not media.resolve().is_relative_to(settings.home.resolve()):
        roots.append(media)
    return roots


def make_private(roots: Iterable[Path]) -> int:
    """Set the private umask for this process and remove group/other bits below ``roots``; returns paths fixed."""
    os.umask(PRIVATE_UMASK)
    fixed = 0
    for root in roots:
        for path in _walk(root):
            try:
                mode = path.lstat().st_mode
                if stat.S_ISLNK(mode) or not mode & OPEN_BITS:
                    continue
                path.chmod(stat.S_IMODE(mode) & ~OPEN_BITS)
                fixed += 1
            except OSError:
                continue  # removed meanwhile, or not ours: verify reports what stays open
    return fixed


def looser_than_private(roots: Iterable[Path]) -> list[tuple[Path, int]]:
    """Every path below ``roots`` that the group or others may use, with its mode."""
    found = []
    for root in roots:
        for path in _walk(root):
            try:
                mode = path.lstat().st_mode
            except OSError:
                continue
            if not stat.S_ISLNK(mode) and mode & OPEN_BITS:
                found.append((path, stat.S_IMODE(mode)))
    return found
