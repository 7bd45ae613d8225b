"""Bangla inflection for search: which indexed words are forms of the word a reader typed; pure functions.

Bangla adds its case, number, classifier and emphasis endings to the end of a word (দালাল → দালালের,
দালালরা, দালালদেরকে; চাকরি → চাকরির, চাকরিতে; ঢাকা → ঢাকায়). Rather than cutting every word to a stem
at index time — which merges different words that share a beginning (চাকরি "job" with চাকর "servant",
ভারত "India" with ভার "weight") — the index keeps whole words and a query word is *expanded* at query time
into the indexed words that are that word plus a known ending (:func:`inflected_forms`). An inflected query
word (দালালের) is first taken back to its base (:func:`base_forms`) when that base is itself a word.

What keeps precision high:
- **Endings follow the stem's last sound.** A stem ending in a consonant letter takes the vowel-sign
  endings (ের, ে, েরা) and the consonant-initial ones that follow consonants (কে, দের, রা, গুলো, টি …) but
  not র, তে or য় (ভার + তে is not a form of ভার: ভারতে is ভারত + ে). A stem ending in a vowel takes র, য়ের,
  তে, য় … but not the vowel signs (চাকরি + র = চাকরির; চাকর + ি is not an ending, so চাকরি ≠ চাকর).
- **A form that is a word of its own is not an inflection** (:data:`LEXICON`): মাটি "soil" is not মা + টি,
  কাজী "kazi" is not কাজ + ী (ী is no ending anyway).
- Words in other scripts (English, numbers) match only as written.

All strings here are in the index's normal form (:func:`transcripts.search_text.token_key`: NFC, so ড় ঢ় য়
stay decomposed, no joiners, lower case).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from transcripts.search_text import token_key

_Y = "\u09af\u09bc"  # য় as NFC keeps it (য + nukta)
VOWEL_SIGNS = frozenset("\u09be\u09bf\u09c0\u09c1\u09c2\u09c3\u09c4\u09c7\u09c8\u09cb\u09cc")
INDEPENDENT_VOWELS = frozenset("অআইঈউঊঋএঐওঔ")

# The endings, in three slots that follow each other: number or classifier, then case, then emphasis.
NUMBER = ("", "রা", "েরা", f"{_Y}েরা", "দের", "েদের", f"{_Y}েদের", "গুলো", "গুলি", "গুলা", "টি", "টা", "টো", "খানা",
          "খানি")
CASE = ("", "র", "ের", "এর", f"{_Y}ের", "কে", "েকে", "রে", "তে", "েতে", "ে", "এ", _Y, f"{_Y}ে")
EMPHASIS = ("", "ই", "ও", "েই", "েও")
# Endings that cannot follow another ending (the nominative plurals take no case ending after them).
_NO_CASE_AFTER = frozenset({"রা", "েরা", f"{_Y}েরা"})
# A vowel sign cannot follow a vowel sign or an independent vowel; these need a consonant before them.
_NEEDS_CONSONANT = ("ে", "ের", "েরা", "েদের", "েকে", "েতে", "েই", "েও")
# After a consonant these would make another word (চাক + র = চাকর, ভার + তে = ভারতে, কাজ + ী …).
_NEEDS_VOWEL = ("র", "তে", _Y, f"{_Y}ের", f"{_Y}ে", f"{_Y}েরা", f"{_Y}েদের", "রে", "এ", "এর")

# Known words: never an inflection of a shorter stem (মাটি is not মা + টি), and a base even when the index never
# holds them alone (মা for মাকে, মায়ের). In the index's normal form.
LEXICON = frozenset(token_key(w) for w in (
    "মাটি", "বাটি", "কাঠি", "লাঠি", "ছুটি", "রুটি", "খাঁটি", "ঘাঁটি", "চিঠি", "সাথী", "বাকি", "টাকা", "পাকা",
    "দুটো", "একটি", "একটা", "দুটি", "তিনটি", "কেউ", "কেউই", "তারা", "যারা", "কারা", "আমরা", "তোমরা", "ওরা",
    "এরা", "যেটা", "সেটা", "কোনটা", "এটা", "ওটা", "এটি", "সেটি", "তাকে", "কাকে", "একে", "ওকে",
    "কাজী", "দালালি", "চাকরি", "নারী", "গাড়ি", "বাড়ি", "বাটা", "ছোটো", "মোটা", "গোটা", "কাটা", "মেয়ে", "ছেলে",
    "ভাই", "মা", "বাবা", "বোনই", "সেই", "এই", "ওই", "কোনো", "কেনো", "আরও", "আবারও", "তবুও", "এখনও", "কখনও", "পরে", "আগে",
))
MIN_STEM = 2  # code points: a one-letter "stem" (ক + া …) expands to nonsense
MIN_UNATTESTED_STEM = 3  # a base that never occurs alone must be longer (মে + য়েরা is not মেয়েরা's base)


@functools.cache
def endings() -> tuple[str, ...]:
    """Every ending (slot combination), longest first."""
    found = set()
    for number in NUMBER:
        for case in ("",) if number in _NO_CASE_AFTER else CASE:
            for emphasis in EMPHASIS:
                if number and case and case[0] in VOWEL_SIGNS:
                    continue  # দালালগুলো + ের: a vowel sign cannot follow the ো of গুলো
                if (number or case) and emphasis in ("েই", "েও"):
                    continue  # the vowel-sign emphasis forms attach to bare stems only
                ending = number + case + emphasis
                if ending:
                    found.add(ending)
    return tuple(sorted(found, key=lambda e: (-len(e), e)))


def is_bangla(word: str) -> bool:
    """True when the word is written in the Bengali script."""
    return bool(word) and all("\u0980" <= ch <= "\u09ff" for ch in word)


def _ends_in_vowel(stem: str) -> bool:
    last = stem[-1]
    return last in VOWEL_SIGNS or last in INDEPENDENT_VOWELS or stem.endswith(_Y)


_PARTS = tuple(sorted({p for p in (*NUMBER, *CASE, *EMPHASIS) if p}, key=len, reverse=True))  # longest first


def _first_part(ending: str) -> str:
    for part in _PARTS:
        if ending.startswith(part):
            return part
    return ending


def fits(stem: str, ending: str) -> bool:
    """True when ``ending`` can follow ``stem`` (by the stem's last sound)."""
    if len(stem) < MIN_STEM or not ending:
        return False
    first = _first_part(ending)
    if _ends_in_vowel(stem):
        return first not in _NEEDS_CONSONANT
    if stem[-1] == "\u09cd":  # a word ending in a virama (হসন্ত) takes no ending here
        return False
    return first not in _NEEDS_VOWEL


def split_ending(form: str, stem: str) -> str | None:
    """The ending that turns ``stem`` into ``form``, or None when ``form`` is not an inflection of ``stem``.

    A form that is, or inflects, a longer word of :data:`LEXICON` (মাটি, মাটির) belongs to that word.
    """
    if not form.startswith(stem) or form == stem:
        return None
    ending = form[len(stem):]
    if ending not in _ending_set() or not fits(stem, ending):
        return None
    for cut in range(len(stem) + 1, len(form) + 1):
        longer = form[:cut]
        if longer in LEXICON and (cut == len(form) or (form[cut:] in _ending_set() and fits(longer, form[cut:]))):
            return None
    return ending


@functools.cache
def _ending_set() -> frozenset[str]:
    return frozenset(endings())


def inflected_forms(stem: str, vocabulary: Iterable[str]) -> set[str]:
    """The words of ``vocabulary`` (indexed words starting with ``stem``) that are ``stem`` or its inflections."""
    return {form for form in vocabulary if form == stem or split_ending(form, stem) is not None}


def candidate_forms(stem: str) -> list[str]:
    """Every inflection of ``stem`` the endings allow, whether or not any text holds it (longest ending first)."""
    return [stem + ending for ending in endings() if split_ending(stem + ending, stem) is not None]


def base_forms(word: str, is_word: Callable[[str], bool],
               vocabulary_from: Callable[[str], Iterable[str]] | None = None) -> list[str]:
    """The bases an inflected ``word`` can come from, best first; [] when it is a base itself.

    A base is a stem the ending fits that is a word of its own (``is_word``); failing that — a place name
    that only ever occurs inflected (মানিকগঞ্জে, মানিকগঞ্জের) — a stem of which the index holds at least one
    other inflected form besides ``word``.
    """
    if not is_bangla(word) or word in LEXICON:
        return []
    stems = sorted({word[: -len(e)] for e in endings()
                    if word.endswith(e) and split_ending(word, word[: -len(e)]) is not None}, key=len)
    words = [stem for stem in stems if stem in LEXICON or is_word(stem)]
    if words or vocabulary_from is None:
        return words
    return [stem for stem in stems if len(stem) >= MIN_UNATTESTED_STEM
            and len(inflected_forms(stem, vocabulary_from(stem)) - {word}) >= 1]


def expand_word(word: str, vocabulary_from: Callable[[str], Iterable[str]],
                is_word: Callable[[str], bool]) -> set[str]:
    """The indexed words a plain query word stands for: its base's forms found in the index, itself included.

    ``vocabulary_from(prefix)`` lists the indexed words starting with ``prefix``; ``is_word(w)`` says whether
    ``w`` occurs in the index as a word of its own.
    """
    word = token_key(word)
    if not is_bangla(word):
        return {word}
    bases = base_forms(word, is_word, vocabulary_from)
    stem = bases[0] if bases else word
    forms = inflected_forms(stem, vocabulary_from(stem))
    forms.add(word)
    return forms
