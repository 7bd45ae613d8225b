"""Phone-number redaction: the forms people write, Bangla digits, word timings, and its laws (Hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transcripts.redaction import PHONE_MASK, contains_phone_number, redact_phone_numbers, redact_words

BANGLA = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


@pytest.mark.parametrize("number", [
    "01711123456", "+8801711123456", "8801711123456", "+880 1711 123456", "+880-1711-123456",
    "+88 01711-123456", "01711-123456", "0171 112 3456", "017-1112-3456", "(+880) 1711 123456",
])
def test_bangladeshi_numbers_are_masked_in_latin_and_bangla_digits(number: str) -> None:
    for form in (number, number.translate(BANGLA)):
        text = f"আমাকে ফোন করুন {form} নম্বরে, call {form}."
        redacted = redact_phone_numbers(text)
        assert redacted == f"আমাকে ফোন করুন {PHONE_MASK} নম্বরে, call {PHONE_MASK}."
        assert not contains_phone_number(redacted)


@pytest.mark.parametrize("text", [
    "The year 2024 had 365 days", "Episode 12 of 30", "017111234567 is twelve digits", "1711123456",
    "02-9123456 is a Dhaka landline", "price 1,234,567 taka", "ISBN 9780140449136",
])
def test_other_numbers_stay(text: str) -> None:
    assert redact_phone_numbers(text) == text


def test_a_number_split_over_word_timings_is_masked_once() -> None:
    words = [{"start": 0.0, "end": 0.4, "word": " Call", "probability": 0.9},
             {"start": 0.4, "end": 0.8, "word": " 017", "probability": 0.8},
             {"start": 0.8, "end": 1.0, "word": "11-123", "probability": 0.7},
             {"start": 1.0, "end": 1.3, "word": "456.", "probability": 0.9},
             {"start": 1.3, "end": 1.5, "word": " Thanks", "probability": 0.9}]
    out = redact_words(words)
    assert [w["word"] for w in out] == [" Call", f" {PHONE_MASK}", "", ".", " Thanks"]
    assert [(w["start"], w["end"]) for w in out] == [(w["start"], w["end"]) for w in words]
    assert words[1]["word"] == " 017"  # the input is not modified


digits = st.text(alphabet="0123456789", min_size=9, max_size=9)
separators = st.sampled_from(["", " ", "-", " - ", "."])
prefixes = st.sampled_from(["0", "+880", "880", "+88 0", "+880 ", "88-0"])
filler = st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=30)


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """A Bangladeshi mobile number in a random accepted form and digit script."""
    rest = draw(digits)
    sep = draw(separators)
    number = draw(prefixes) + "1" + rest[:3] + sep + rest[3:6] + sep + rest[6:]
    return number.translate(BANGLA) if draw(st.booleans()) else number


@settings(max_examples=300, deadline=None)
@given(before=filler, number=phone_numbers(), after=filler)
def test_any_embedded_number_is_masked_and_the_rest_kept(before: str, number: str, after: str) -> None:
    text = f"{before} {number} {after}"
    redacted = redact_phone_numbers(text)
    assert redacted == f"{before} {PHONE_MASK} {after}"
    assert not contains_phone_number(redacted)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_redaction_is_idempotent_and_only_removes_digits(text: str) -> None:
    once = redact_phone_numbers(text)
    assert redact_phone_numbers(once) == once
    assert not contains_phone_number(once)
    if not contains_phone_number(text):
        assert once == text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=6), max_size=12))
def test_word_redaction_agrees_with_text_redaction(parts: list[str]) -> None:
    words = [{"word": part, "start": float(i), "end": float(i) + 0.5} for i, part in enumerate(parts)]
    joined = "".join(w["word"] for w in redact_words(words))
    assert joined == redact_phone_numbers("".join(parts))


def test_restore_masked_numbers_puts_numbers_back_in_order() -> None:
    from transcripts.redaction import PHONE_MASK, redact_phone_numbers, restore_masked_numbers

    original = "call 01711-123456 or ০১৮১২৩৪৫৬৭৮ now"
    shown = redact_phone_numbers(original)
    assert restore_masked_numbers(original, shown) == original
    assert restore_masked_numbers(original, shown.replace("now", "today")) == original.replace("now", "today")
    assert restore_masked_numbers("no numbers", f"typed {PHONE_MASK}") == f"typed {PHONE_MASK}"
    three = f"{PHONE_MASK} {PHONE_MASK} {PHONE_MASK}"
    assert restore_masked_numbers(original, three) == f"01711-123456 ০১৮১২৩৪৫৬৭৮ {PHONE_MASK}"
