"""Generators of contact details and of numbers that are not contact details, in Bangla and English sentences.

Each generator takes a ``pick`` — ``random.Random`` (for measuring precision and recall on a fixed sample) or
:class:`Drawer` (Hypothesis) — so the property tests and the measurement share one definition of the shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")

SCRIPTS = {
    "latin": "0123456789", "bangla": "০১২৩৪৫৬৭৮৯", "arabic-indic": "٠١٢٣٤٥٦٧٨٩",
    "persian": "۰۱۲۳۴۵۶۷۸۹", "full-width": "０１２３４５６７８９",
}
# Separators that may stand between groups: strong ones, and weak ones (a space with a comma, dot or slash).
STRONG = [" ", "\u00a0", "\u202f", "\u2009", "-", "\u2011", "\u2013", " - ", ".", ",", "/", "\uff0d", "\u3000"]
WEAK = [", ", " / ", ". ", "\u060c "]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u2066"]
COUNTRY_CODES = ["971", "966", "974", "968", "965", "973", "960", "60", "65", "44", "1", "91", "961", "39", "81"]

PHONE_SENTENCES = [
    "Please call me on {} tonight.", "My brother's number is {}, he is in Dubai now.",
    "Call {} if you see the broker again.", "The agent gave us {} to call.", "{} is the number he gave me.",
    "Number: {}.", "She said (the number was {}) and hung up.", "Send it to {}?",
    "আমাকে {} নম্বরে ফোন করবেন।", "দালালের নম্বর {}, ও এখন দুবাই থাকে।", "{} এই নম্বরে যোগাযোগ করুন।",
    "আমার ভাইয়ের নম্বর ছিল {}।", "বিকাশ নম্বর {} এ টাকা পাঠাতে বলেছিল।", "ফোন নম্বর: {}",
]
OTHER_SENTENCES = [
    "It happened on {}.", "We met the broker in {} and again later.", "The cost was {}, he said.",
    "{} — that is what they told us.", "সে বলেছিল {}।", "ঘটনাটা ঘটেছিল {} এ।", "আমরা {} পেয়েছিলাম।",
    "{} কথাটা মনে আছে।",
]


class Pick(Protocol):
    def choice(self, seq: Sequence[T]) -> T: ...

    def randint(self, a: int, b: int) -> int: ...


class Drawer:
    """A ``Pick`` that draws from Hypothesis (so examples shrink)."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw

    def choice(self, seq: Sequence[T]) -> T:
        return self.draw(st.sampled_from(seq))

    def randint(self, a: int, b: int) -> int:
        return self.draw(st.integers(a, b))


def digits(pick: Pick, n: int) -> str:
    return "".join(str(pick.randint(0, 9)) for _ in range(n))


def in_script(pick: Pick, text: str) -> str:
    """``text`` with its Latin digits in one script, or (now and then) a mix of scripts."""
    if pick.randint(0, 9) == 0:
        return "".join(SCRIPTS[pick.choice(list(SCRIPTS))][int(c)] if c.isdigit() else c for c in text)
    table = str.maketrans("0123456789", SCRIPTS[pick.choice(list(SCRIPTS))])
    return text.translate(table)


def sprinkle(pick: Pick, text: str) -> str:
    """``text`` with zero-width characters inserted between some of its characters (never at its ends)."""
    if pick.randint(0, 2) or len(text) < 2:
        return text
    out = [text[0]]
    for char in text[1:]:
        if pick.randint(0, 3) == 0:
            out.append(pick.choice(INVISIBLE))
        out.append(char)
    return "".join(out)


def group(pick: Pick, national: str, weak: bool, shortest: int = 2) -> list[str]:
    """Split a national number into groups the way people write them: a short first group (an operator or
    area code, ``shortest`` digits or more), then groups of 3–7 digits (at most 6 when a weak separator
    splits them)."""
    if len(national) < 6 or pick.randint(0, 3) == 0:
        return [national]
    top = 6 if weak else 7
    first = pick.randint(shortest, min(5, len(national) - 3))
    groups, rest = [national[:first]], national[first:]
    while rest:
        if len(rest) <= top and (len(rest) < 6 or pick.randint(0, 1)):
            size = len(rest)
        else:
            size = pick.randint(3, min(top, len(rest) - 3))
        groups.append(rest[:size])
        rest = rest[size:]
    return groups


def join(pick: Pick, groups: list[str], plain: bool) -> str:
    """Groups joined by one separator style; ``plain`` numbers (no phone prefix) avoid commas and weak ones."""
    choices = [s for s in STRONG if s != ","] if plain else STRONG + WEAK
    sep = pick.choice(choices)
    if sep in WEAK and any(len(g) > 6 for g in groups):
        sep = " "
    return sep.join(groups)


def phone_number(pick: Pick) -> tuple[str, str]:
    """(kind of number, the number as written)."""
    kind = pick.choice(["bd-mobile", "bd-mobile", "bd-mobile-long", "bd-mobile-short", "bd-mobile-no-zero",
                        "bd-landline", "international", "international-00", "international-no-plus"])
    if kind.startswith("bd-mobile"):
        extra = {"bd-mobile-long": 1, "bd-mobile-short": -1}.get(kind, 0)
        national = "01" + str(pick.randint(3, 9)) + digits(pick, 8 + extra)
        if kind == "bd-mobile-no-zero":
            return kind, sprinkle(pick, in_script(pick, join(pick, group(pick, national[1:], False), True)))
        prefix = pick.choice(["", "", "+880", "880", "+88", "00880", "(+880)", "+880-"])
        if prefix and prefix not in ("+88",):
            national = national[1:]  # after the country code the national number drops its 0
        weak = not prefix or pick.randint(0, 1) == 0
        body = join(pick, group(pick, national, weak), False)
        number = f"{prefix}{pick.choice(['', ' ', '-']) if prefix and not prefix.endswith('-') else ''}{body}"
    elif kind == "bd-landline":
        area = pick.choice(["2", "2", "31", "41", "51", "341", "628", "651", "721", "821", "921"])
        local = str(pick.randint(2, 9)) + digits(pick, (7 if area == "2" else 5) - pick.randint(0, 1))
        shape = pick.randint(0, 4)
        if shape == 0:
            number = f"+880 {area} {local}"
        elif shape == 1:
            number = f"(0{area}) {local}"
        else:
            sep = pick.choice(["-", " ", "", "\u2013", "."])
            # a local number split in groups of 3 or more: "02 9876 543" (never a date or time shape)
            number = f"0{area}{sep}" + (join(pick, group(pick, local, False, 3), False) if shape == 2 else local)
    else:
        code = pick.choice(COUNTRY_CODES)
        total = pick.randint(10, 15 if kind != "international-00" else 13)
        subscriber = str(pick.randint(1, 9)) + digits(pick, max(6, total - len(code) - 1))
        plain = kind == "international-no-plus"
        body = join(pick, group(pick, subscriber, not plain), plain)
        lead = {"international": "+", "international-00": "00", "international-no-plus": ""}[kind]
        number = f"{lead}{code}{pick.choice([' ', '-', ' ', ''])}{body}"
        if plain and number.startswith("1"):
            number = "9" + number[1:]
    return kind, sprinkle(pick, in_script(pick, number))


def email_address(pick: Pick) -> str:
    user = pick.choice(["rahim", "salma.akter", "rina_begum", "karim.uddin85", "ms.jahan", "nasrin+help"])
    host = pick.choice(["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "agency-bd.com", "mail.ae"])
    shape = pick.randint(0, 4)
    if shape == 0:
        return f"{user} (at) {host.replace('.', ' (dot) ')}"
    if shape == 1:
        return f"{user.replace('.', '').replace('+', '')} at {host.split('.')[0]} dot {host.split('.')[1]}"
    if shape == 2:
        return f"{user}＠{host}"
    return sprinkle(pick, f"{user}@{host}")


def other_number(pick: Pick) -> tuple[str, str]:
    """(kind, a number that is not a phone number): years, dates, times, money, ages, counts and lists."""
    kind = pick.choice(["year", "date", "iso-date", "time", "time-range", "money", "money-before", "age",
                        "count", "percent", "year-range", "year-list", "episode"])
    year = pick.randint(1950, 2030)
    day, month = pick.randint(1, 28), pick.randint(1, 12)
    if kind == "year":
        text = pick.choice([f"{year}", f"{year} সালে", f"the year {year}"])
    elif kind == "date":
        sep = pick.choice(["/", "-", ".", "\u2013"])
        yy = f"{year}" if pick.randint(0, 2) else f"{year % 100:02d}"
        d, m = (f"{day:02d}", f"{month:02d}") if pick.randint(0, 1) else (str(day), str(month))
        text = f"{d}{sep}{m}{sep}{yy}"
        if pick.randint(0, 3) == 0:
            text += f" - {pick.randint(1, 28):02d}{sep}{m}{sep}{yy}"
    elif kind == "iso-date":
        text = f"{year}-{month:02d}-{day:02d}"
    elif kind == "time":
        text = pick.choice([f"{pick.randint(0, 23):02d}:{pick.randint(0, 59):02d}",
                            f"{pick.randint(1, 12)}.{pick.randint(0, 59):02d}",
                            f"রাত {pick.randint(1, 12)}টা {pick.randint(0, 59)} মিনিটে"])
    elif kind == "time-range":
        sep = pick.choice([":", "."])
        h = pick.randint(0, 22)
        text = f"{h:02d}{sep}30-{h + 1:02d}{sep}{pick.randint(0, 59):02d}"
    elif kind in ("money", "money-before"):
        amount = pick.randint(1, 9999) * 10 ** pick.randint(0, 6)
        style = pick.randint(0, 2)
        if style == 0:
            written = f"{amount:,}"
        elif style == 1:  # lakh / crore grouping
            s = str(amount)
            head, tail = s[:-3], s[-3:]
            parts = []
            while len(head) > 2:
                parts.insert(0, head[-2:])
                head = head[:-2]
            written = ",".join(([head] if head else []) + parts + [tail])
        else:
            written = str(amount)
        if kind == "money":
            text = f"{written} {pick.choice(['taka', 'টাকা', 'tk', 'Tk.', '৳', 'BDT', 'টাকা দিতে হয়েছে'])}"
        else:
            text = f"{pick.choice(['৳', 'Tk ', 'BDT ', '$'])}{written}"
    elif kind == "age":
        age = pick.randint(8, 70)
        text = pick.choice([f"{age} বছর বয়সে", f"aged {age}", f"{age} years old"])
    elif kind == "count":
        n = pick.randint(2, 5000)
        text = pick.choice([f"{n:,} people", f"{n} জন", f"{n} জন মেয়েকে", f"{n} families"])
    elif kind == "percent":
        text = f"{pick.randint(1, 99)}%"
    elif kind == "year-range":
        text = f"{year}{pick.choice(['-', '–', ' - ', ' থেকে '])}{year + pick.randint(1, 9)}"
    elif kind == "year-list":
        text = f"{year}, {year + 1}{pick.choice([' and ', ' ও ', ', '])}{year + 2}"
    else:
        text = pick.choice([f"episode {pick.randint(1, 99)} of {pick.randint(100, 300)}",
                            f"{pick.randint(1, 52)} নম্বর পর্ব"])
    return kind, in_script(pick, text)
