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


def _char_start(data: bytes, pos: int) -> int:
    while pos > 0 and data[pos] & 0xC0 == 0x80:  # step back over UTF-8 continuation bytes
        pos -= 1
    return pos


def _safe_cut(data: bytes, begin: int, pos: int) -> bool:
    # May a fold go between the characters that meet at byte ``pos``?
    prev_start = _char_start(data, pos - 1)
    prev = data[prev_start:pos].decode("utf-8")
    nxt_char = data[pos:pos + 4].decode("utf-8", errors="ignore")[:1]  # the window may end inside a character
    if prev == "\\":  # do not split a text escape (\n, \, \; \\): count the backslashes before it
        run = 0
        while prev_start - run > begin and data[prev_start - run - 1] == 0x5C:
            run += 1
        if run % 2 == 0:
            return False
    return not (nxt_char and _continues(prev, nxt_char))


def fold_line(line: str, limit: int = LIMIT) -> str:
    """One content line folded with CRLF + space so that no physical line exceeds ``limit`` octets."""
    if len(line) * 4 <= limit:
        return line
    data = line.encode("utf-8")
    if len(data) <= limit:
        return line
    parts: list[bytes] = []
    begin, room = 0, limit
    while len(data) - begin > room:
        pos = _char_start(data, begin + room)
        cut = pos
        while cut > begin and not _safe_cut(data, begin, cut):
            cut = _char_start(data, cut - 1)
        if cut <= begin:  # a cluster longer than a line (dozens of marks): split between characters
            cut = pos
        parts.append(data[begin:cut])
        begin, room = cut, limit - 1  # continuation lines start with a space
    parts.append(data[begin:])
    return "\r\n ".join(part.decode("utf-8") for part in parts)


def fold_lines(lines: list[str]) -> bytes:
    """Unfolded content lines → folded iCalendar bytes, each line ending in CRLF."""
    return "".join(fold_line(line) + "\r\n" for line in lines).encode("utf-8")
