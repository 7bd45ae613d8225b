"""Rundown planning (pure): where each item of a programme plays, trimmed or extended to fill the slot exactly.

A rundown is an ordered list of items. Items that are not beds follow one another, each overlapping the one
before by the crossfade. A bed (role ``music``, ``bed: true``) adds no time: it plays, ducked, under the
speech items that follow it up to the next item that is not speech, and loops when it is shorter than that.
When the items are longer than the slot, music and jingles are shortened (with a fade); speech never is, and
when speech alone is longer than the slot the rundown does not fit. When they are shorter, the last music
item is extended by repeating it (with a fade at the end); a rundown without music ends in silence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from radio.errors import Conflict, InvalidInput

ROLES = ("speech", "music", "jingle")
MIN_TRIMMED_S = 1.0  # music or a jingle is never shortened below this
TRIM_FADE_S = 2.0  # fade-out given to a shortened or extended item (at most a third of its length)
BED_FADE_S = 1.0  # a bed fades in and out over this at the edges of the speech it lies under
BED_DUCK_DB = -14.0  # a bed under speech plays this far below the loudness target
FIT_TOLERANCE_S = 0.01


@dataclass(frozen=True)
class RundownItem:
    """One item as the producer asked for it (times in the source episode's seconds)."""

    episode_id: str
    duration_s: float  # of the source episode
    in_s: float = 0.0
    out_s: float | None = None
    role: str = "speech"
    fade_in_s: float = 0.0
    fade_out_s: float = 0.0
    bed: bool = False

    @property
    def length_s(self) -> float:
        """The length of the chosen part of the source."""
        return max(0.0, (self.duration_s if self.out_s is None else self.out_s) - self.in_s)


@dataclass(frozen=True)
class Placement:
    """Where one item plays in the programme: source range, place on the timeline, length, fades, gain."""

    index: int  # position in the rundown
    episode_id: str
    role: str
    bed: bool
    in_s: float
    out_s: float  # in the source; the played length may exceed out_s - in_s when the part repeats
    start_s: float  # in the programme
    length_s: float  # played length (a repeating part plays its range again until this is reached)
    fade_in_s: float
    fade_out_s: float
    extra_gain_db: float = 0.0  # ducking of beds

    @property
    def end_s(self) -> float:
        """Where the item stops playing."""
        return self.start_s + self.length_s

    @property
    def repeats(self) -> int:
        """How many times the source range is played (1 unless extended or a looping bed)."""
        span = self.out_s - self.in_s
        return max(1, math.ceil(self.length_s / span - 1e-9)) if span > 0 else 1


@dataclass
class RundownPlan:
    """The placements of a rundown and what was done to fit it to the slot."""

    slot_s: float
    placements: list[Placement] = field(default_factory=list)
    trimmed_s: float = 0.0  # taken off music and jingles
    extended_s: float = 0.0  # added by repeating music
    padded_s: float = 0.0  # silence at the end (nothing could be extended)


def validate_items(items: list[RundownItem]) -> None:
    """Check in/out points, roles and beds against the sources (InvalidInput naming the item's field)."""
    if not items:
        raise InvalidInput("a rundown needs at least one item", code="invalid_field", details={"field": "items"})
    for n, item in enumerate(items):
        where = f"items.{n}"
        if item.role not in ROLES:
            raise InvalidInput(f"{where}: role must be one of {', '.join(ROLES)}", code="invalid_field",
                               details={"field": f"{where}.role"})
        if item.in_s < 0 or item.in_s >= item.duration_s:
            raise InvalidInput(f"{where}: in_s must lie inside the episode (0 to {item.duration_s:.2f} s)",
                               code="invalid_field", details={"field": f"{where}.in_s"})
        if item.out_s is not None and not item.in_s < item.out_s <= item.duration_s + FIT_TOLERANCE_S:
            raise InvalidInput(f"{where}: out_s must lie after in_s and inside the episode "
                               f"({item.duration_s:.2f} s)", code="invalid_field", details={"field": f"{where}.out_s"})
        if item.bed and item.role != "music":
            raise InvalidInput(f"{where}: only music can be a bed", code="invalid_field",
                               details={"field": f"{where}.bed"})
        if item.fade_in_s + item.fade_out_s > item.length_s + FIT_TOLERANCE_S:
            raise InvalidInput(f"{where}: the fades are longer than the item", code="invalid_field",
                               details={"field": f"{where}.fade_in_s"})
    if all(item.bed for item in items):
        raise InvalidInput("a rundown needs an item that is not a bed", code="invalid_field",
                           details={"field": "items"})


def _overlap(a: float, b: float, crossfade_s: float) -> float:
    return max(0.0, min(crossfade_s, a / 2, b / 2))


def _timeline_length(lengths: list[float], crossfade_s: float) -> float:
    total = sum(lengths)
    for a, b in zip(lengths, lengths[1:], strict=False):
        total -= _overlap(a, b, crossfade_s)
    return total


def running_time(items: list[RundownItem], crossfade_s: float = 0.0) -> tuple[float, float]:
    """(total, speech) seconds of the rundown as asked, before fitting: what the editor shows against the slot."""
    seq = [item for item in items if not item.bed]
    speech = sum(item.length_s for item in seq if item.role == "speech")
    return _timeline_length([item.length_s for item in seq], crossfade_s), speech


def _fit(seq: list[RundownItem], slot_s: float, crossfade_s: float) -> tuple[list[float], float, float]:
    """Lengths of the sequence's items after fitting, with (trimmed, extended)."""
    lengths = [item.length_s for item in seq]
    total = _timeline_length(lengths, crossfade_s)
    speech = sum(length for item, length in zip(seq, lengths, strict=True) if item.role == "speech")
    if speech > slot_s + FIT_TOLERANCE_S:
        raise Conflict(f"the speech alone is {speech:.1f} s, {speech - slot_s:.1f} s longer than the "
                       f"{slot_s:.0f} s slot", code="does_not_fit",
                       details={"overrun_s": round(speech - slot_s, 3), "speech_s": round(speech, 3),
                                "slot_s": slot_s})
    trimmed = extended = 0.0
    if total > slot_s + FIT_TOLERANCE_S:
        for _round in range(20):  # overlaps shrink with lengths: converge on the exact total
            excess = _timeline_length(lengths, crossfade_s) - slot_s
            if excess <= FIT_TOLERANCE_S / 2:
                break
            room = [max(0.0, length - MIN_TRIMMED_S) if item.role != "speech" else 0.0
                    for item, length in zip(seq, lengths, strict=True)]
            available = sum(room)
            if available <= 1e-6:
                over = _timeline_length(lengths, crossfade_s) - slot_s
                raise Conflict(f"the rundown is {over:.1f} s longer than the slot and its music and jingles "
                               "cannot be shortened further", code="does_not_fit",
                               details={"overrun_s": round(over, 3), "speech_s": round(speech, 3),
                                        "slot_s": slot_s})
            share = min(1.0, excess / available)
            lengths = [length - r * share for length, r in zip(lengths, room, strict=True)]
        trimmed = sum(item.length_s for item in seq) - sum(lengths)
    elif total < slot_s - FIT_TOLERANCE_S:
        music = [n for n, item in enumerate(seq) if item.role == "music"]
        if music:
            n = music[-1]
            # The overlaps around item n do not change once it is long enough: add the whole shortfall.
            lengths[n] += slot_s - total
            lengths[n] += slot_s - _timeline_length(lengths, crossfade_s)
            extended = lengths[n] - seq[n].length_s
    return lengths, trimmed, extended


def plan_rundown(items: list[RundownItem], slot_s: float, crossfade_s: float = 0.0) -> RundownPlan:
    """Place every item on the programme's timeline so that it lasts ``slot_s`` (see the module docstring)."""
    validate_items(items)
    if not 0 < slot_s <= 24 * 3600:
        raise InvalidInput("slot_s must be between 0 and 24 hours", code="invalid_field", details={"field": "slot_s"})
    seq_index = [n for n, item in enumerate(items) if not item.bed]
    seq = [items[n] for n in seq_index]
    lengths, trimmed, extended = _fit(seq, slot_s, crossfade_s)
    plan = RundownPlan(slot_s=slot_s, trimmed_s=round(trimmed, 3), extended_s=round(extended, 3))
    start = 0.0
    placed: dict[int, Placement] = {}
    for k, (n, item, length) in enumerate(zip(seq_index, seq, lengths, strict=True)):
        if k:
            start -= _overlap(lengths[k - 1], length, crossfade_s)
        before = _overlap(lengths[k - 1], length, crossfade_s) if k else 0.0
        after = _overlap(length, lengths[k + 1], crossfade_s) if k + 1 < len(seq) else 0.0
        fade_out = max(item.fade_out_s, after)
        if abs(length - item.length_s) > FIT_TOLERANCE_S:  # shortened or extended: end with a fade
            fade_out = max(fade_out, min(TRIM_FADE_S, length / 3))
        source_out = item.in_s + item.length_s
        if length < item.length_s:
            source_out = item.in_s + length
        placed[n] = Placement(index=n, episode_id=item.episode_id, role=item.role, bed=False, in_s=item.in_s,
                              out_s=source_out, start_s=start, length_s=length,
                              fade_in_s=min(max(item.fade_in_s, before), length / 2),
                              fade_out_s=min(fade_out, length / 2))
        start += length
    end_of_content = start
    plan.padded_s = round(max(0.0, slot_s - end_of_content), 3)
    for n, item in enumerate(items):
        if not item.bed:
            continue
        under = []
        for m in range(n + 1, len(items)):
            if items[m].bed:
                continue
            if items[m].role != "speech":
                break
            under.append(placed[m])
        if not under:
            continue  # nothing to lie under: the bed is not heard
        bed_start, bed_end = under[0].start_s, under[-1].end_s
        length = bed_end - bed_start
        placed[n] = Placement(index=n, episode_id=item.episode_id, role=item.role, bed=True, in_s=item.in_s,
                              out_s=item.in_s + item.length_s, start_s=bed_start, length_s=length,
                              fade_in_s=min(max(item.fade_in_s, BED_FADE_S), length / 2),
                              fade_out_s=min(max(item.fade_out_s, BED_FADE_S), length / 2),
                              extra_gain_db=BED_DUCK_DB)
    plan.placements = [replace(placed[n]) for n in sorted(placed)]
    return plan
