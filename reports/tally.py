"""The figures of one row of the reach report, kept as a flat list of numbers so that adding rows is cheap."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reports.sources import MISSED_REASONS, AiringStatus
from schedule.models import FEEDBACK_COUNTS

STATUS_FIELDS = ("aired", "partial", "missed", "unconfirmed")
FIELDS = ("planned", *STATUS_FIELDS, *(f"missed_{r}" for r in MISSED_REASONS), "seconds_planned",
          "seconds_aired", *(f"entered_{k}" for k in FEEDBACK_COUNTS), *(f"gateway_{k}" for k in FEEDBACK_COUNTS),
          "feedback_reports")
_AT = {name: i for i, name in enumerate(FIELDS)}
PLANNED, SECONDS_PLANNED, SECONDS_AIRED, FEEDBACK_REPORTS = (_AT["planned"], _AT["seconds_planned"],
                                                             _AT["seconds_aired"], _AT["feedback_reports"])
ENTERED = tuple(_AT[f"entered_{k}"] for k in FEEDBACK_COUNTS)
GATEWAY_SMS, GATEWAY_MISSED_CALLS = _AT["gateway_sms"], _AT["gateway_missed_calls"]


class Tally:
    """Sums of one row: airings by status, seconds planned and aired, feedback by kind and source."""

    __slots__ = ("unique_senders", "values")

    def __init__(self) -> None:
        self.values: list[Any] = [0] * len(FIELDS)
        self.unique_senders = 0

    def add_airing(self, seconds: float, status: AiringStatus) -> None:
        """Count one planned airing of ``seconds`` with what is known about it: an aired one adds its planned
        seconds to the airtime delivered, a partial one only the seconds its status gives (``aired_s``; a
        confirmation does not carry them today, so a partial airing adds 0), a missed one none."""
        v = self.values
        v[PLANNED] += 1
        v[SECONDS_PLANNED] += seconds
        v[_AT[status.status]] += 1
        if status.status == "missed":
            v[_AT[f"missed_{status.reason}" if status.reason in MISSED_REASONS else "missed_other"]] += 1
        elif status.status == "aired":
            v[SECONDS_AIRED] += seconds
        elif status.status == "partial" and status.aired_s is not None:
            v[SECONDS_AIRED] += min(status.aired_s, seconds)

    def add_entered(self, reports: int, counts: Sequence[int]) -> None:
        """Count the hand-entered feedback reports summed for one cell (``counts`` in FEEDBACK_COUNTS order)."""
        v = self.values
        v[FEEDBACK_REPORTS] += reports
        for index, value in zip(ENTERED, counts, strict=True):
            v[index] += value

    def add_gateway(self, sms: int, missed_calls: int) -> None:
        """Count inbound gateway messages."""
        self.values[GATEWAY_SMS] += sms
        self.values[GATEWAY_MISSED_CALLS] += missed_calls

    def merge(self, other: Tally) -> None:
        """Add ``other``'s sums to these (unique senders are not additive: they are set afterwards)."""
        self.values = [a + b for a, b in zip(self.values, other.values, strict=True)]

    def as_dict(self) -> dict[str, Any]:
        """The row's figures as the API shows them (``share_delivered``: aired minutes over planned ones)."""
        f = dict(zip(FIELDS, self.values, strict=True))
        entered = {k: f[f"entered_{k}"] for k in FEEDBACK_COUNTS}
        gateway = {k: f[f"gateway_{k}"] for k in FEEDBACK_COUNTS}
        planned_s, aired_s = f["seconds_planned"], f["seconds_aired"]
        return {
            "planned": f["planned"], "aired": f["aired"], "partial": f["partial"], "missed": f["missed"],
            "missed_by_reason": {r: f[f"missed_{r}"] for r in MISSED_REASONS}, "unconfirmed": f["unconfirmed"],
            "minutes_planned": round(planned_s / 60, 1), "minutes_aired": round(aired_s / 60, 1),
            "share_delivered": round(aired_s / planned_s, 4) if planned_s else None,
            "feedback": {k: entered[k] + gateway[k] for k in FEEDBACK_COUNTS},
            "feedback_by_source": {"entered": entered, "gateway": gateway},
            "feedback_total": sum(entered.values()) + sum(gateway.values()),
            "feedback_reports": f["feedback_reports"], "unique_senders": self.unique_senders,
        }
