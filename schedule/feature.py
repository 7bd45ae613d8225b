"""The schedule's declaration: stations, bookings, feeds and feedback, and the hooks it offers the others."""

from __future__ import annotations

from pathlib import Path

from radio.features import Feature
from schedule import bookings, cli, flight_models, message_search, models, stations

FEATURE = Feature(
    name="schedule",
    description="broadcast plans: stations, bookings and their conflicts, iCal and podcast feeds, feedback",
    models=(models, flight_models),
    migrations=Path(__file__).parent / "migrations" / "versions",
    commands=(cli.calendar, cli.stations, cli.bundle),
    blueprints=("web.api.schedule", "web.api.flights", "web.api.airings", "web.feeds", "web.ui.schedule",
                "web.ui.station", "web.ui.airings", "web.sms_hooks", "web.api.inbound", "web.bundles",
                "web.ui.gateway", "web.ui.flights"),
    hooks={
        "episode_in_use": bookings.why_episode_is_in_use,
        "station_episodes_sql": stations.station_episodes_sql,
        "assign_station": stations.assign_station,
        "episode_protected": bookings.cancel_future_airings,
        "search_reindex": message_search.reindex_messages,
        "masked_index_leaks": message_search.message_index_leaks,
    },
)
