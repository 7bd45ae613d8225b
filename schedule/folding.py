"""RFC 5545 line folding at 75 octets that never splits a UTF-8 character nor a Bangla letter from its signs."""

from __future__ import annotations

import unicodedata

LIMIT = 75
_JOINERS = {"\u200c", "\u200d"}  # ZWNJ and ZWJ shape the letters around them
_MARKS = {"Mn", "Mc", "Me"}


def _continues(prev: str, char: str) -> bool:
    # True when ``char`` belongs to the cluster ``prev`` ends: a vowel sign, virama, nukta or other mark,
    # a joiner, or the consonant after a virama (a conjunct such as ক্ষ).
    if unicodedata.category(char) in _MARKS or char in _JOINERS or prev in _JOINERS:
        return True
    return unicodedata.combining(prev) == 9


def clusters(line: str) -> list[str]:
    """``line`` cut into pieces folding keeps whole: text escapes (``\\n``) and letters with their signs."""
    out: list[str] = []
    i, n = 0, len(line)
    while i < n:
        step = 2 if line[i] == "\\" and i + 1 < n else 1
        cluster = line[i:i + step]
        i += step
        while i < n and _continues(cluster[-1], line[i]):
            cluster += line[i]
            i += 1
        out.append(cluster)
    return out


def fold_line(line: str, limit: int = LIMIT) -> str:
    """One content line folded with CRLF + space so that no physical line exceeds ``limit`` octets."""
    if len(line) * 4 <= limit or len(line.encode("utf-8")) <= limit:
        return line
    parts: list[str] = []
    current, size, room = "", 0, limit
    for cluster in clusters(line):
        width = len(cluster.encode("utf-8"))
        if size + width > room and current:
            parts.append(current)
            current, size, room = "", 0, limit - 1  # continuation lines start with a space
        if width > room:  # a pathological cluster (dozens of marks): split it between characters
            for char in cluster:
                w = len(char.encode("utf-8"))
                if size + w > room and current:
                    parts.append(current)
                    current, size, room = "", 0, limit - 1
                current += char
                size += w
            continue
        current += cluster
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def fold_lines(lines: list[str]) -> bytes:
    """Unfolded content lines → folded iCalendar bytes, each line ending in CRLF."""
    return "".join(fold_line(line) + "\r\n" for line in lines).encode("utf-8")
