"""Who may loosen protection, and the tamper-evident audit trail that records it (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from schedule_helpers import create_station, feed_path, local_dhaka, make_episode
from search_corpus import add_episode
from sqlalchemy import select, text

from episodes.models import Episode
from radio.audit import verify_chain
from radio.cli import main
from radio.models import ApiToken, AuditEntry
from schedule.models import Broadcast


def _trail(runtime, **where) -> list[AuditEntry]:
    with runtime.session() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEntry, name) == value)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def _interview(runtime) -> str:
    return make_episode(runtime, title="সাক্ষাৎকার", kind="interview", consent="research_only", restricted=True)


def test_a_producer_cannot_loosen_protection_an_admin_can_with_a_reason(runtime, api_as) -> None:
    producer, admin = api_as("producer"), api_as("admin")
    episode = _interview(runtime)
    for change in ({"consent": "broadcast", "restricted": False}, {"restricted": False}, {"consent": "broadcast"},
                   {"consent": "broadcast", "restricted": False, "reason": "the survivor agreed"}):
        r = producer.patch(f"/api/v1/episodes/{episode}", json=change)
        assert r.status_code == 403 and r.json["error"]["code"] == "forbidden", (change, r.json)
    # … nor by changing the kind in the same PATCH
    r = producer.patch(f"/api/v1/episodes/{episode}", json={"kind": "drama", "consent": "broadcast"})
    assert r.status_code == 403
    with runtime.session() as session:
        row = session.get(Episode, episode)
        assert (row.restricted, row.consent, row.kind) == (True, "research_only", "interview")
    assert _trail(runtime, subject_id=episode) == []

    r = admin.patch(f"/api/v1/episodes/{episode}", json={"consent": "broadcast", "restricted": False})
    assert r.status_code == 400 and r.json["error"]["field"] == "reason"
    r = admin.patch(f"/api/v1/episodes/{episode}", json={"consent": "broadcast", "restricted": False, "reason": " "})
    assert r.status_code == 400 and r.json["error"]["field"] == "reason"
    r = admin.patch(f"/api/v1/episodes/{episode}", json={"consent": "broadcast", "restricted": False,
                                                         "reason": "written consent, 2026-11-30"})
    assert r.status_code == 200, r.json
    assert (r.json["restricted"], r.json["consent"]) == (False, "broadcast")
    [entry] = _trail(runtime, subject_id=episode)
    details = json.loads(entry.details)
    assert entry.action == "episode.protection_loosened" and entry.actor.startswith("admin")
    assert details["reason"] == "written consent, 2026-11-30"
    assert details["changes"] == {"restricted": {"from": True, "to": False},
                                  "consent": {"from": "research_only", "to": "broadcast"}}

    # Producers may tighten: restrict again, shorten validity; each is recorded.
    assert producer.patch(f"/api/v1/episodes/{episode}", json={"restricted": True}).status_code == 200
    assert producer.patch(f"/api/v1/episodes/{episode}", json={"valid_until": "2027-01-31"}).status_code == 200
    assert [e.action for e in _trail(runtime, subject_id=episode)] == [
        "episode.protection_loosened", "episode.protection", "episode.protection"]


def test_a_new_restriction_cancels_future_airings_and_leaves_the_feeds(runtime, api_as, client) -> None:
    admin, producer = api_as("admin"), api_as("producer")
    padma = create_station(admin, "radio-padma")
    episode = make_episode(runtime, title="প্রচারযোগ্য পর্ব")
    other = make_episode(runtime, title="অন্য পর্ব")
    booking = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                       "start": local_dhaka(3)}).json
    series = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": other,
                                                      "start": local_dhaka(1, hour=9), "rrule": "FREQ=DAILY;COUNT=5"})
    assert series.status_code == 201, series.json
    moved = producer.patch(f"/api/v1/broadcasts/{series.json['id']}",
                           json={"occurrence": local_dhaka(2)[:10], "episode_id": episode})
    assert moved.status_code == 200, moved.json
    calendar, podcast = feed_path(padma["calendar_url"]), feed_path(padma["podcast_url"])
    assert episode.encode() in client.get(podcast).data

    assert producer.patch(f"/api/v1/episodes/{episode}", json={"restricted": True}).status_code == 200
    with runtime.session() as session:
        assert session.get(Broadcast, booking["id"]).status == "cancelled"
        assert local_dhaka(2)[:10] in " ".join(session.get(Broadcast, series.json["id"]).exdates)
    body = client.get(calendar).data.decode()
    assert "STATUS:CANCELLED" in body and booking["uid"] in body.replace("\r\n ", "")
    assert episode not in body and "প্রচারযোগ্য" not in body
    assert episode.encode() not in client.get(podcast).data


def test_the_chain_holds_and_radio_verify_names_the_first_tampered_row(runtime, api_as) -> None:
    admin = api_as("admin")
    create_station(admin, "radio-padma")
    for name in ("one", "two", "three"):
        assert admin.post(f"/api/v1/users/{admin.user_id}/tokens", json={"name": name}).status_code == 201
    assert admin.post("/api/v1/stations/radio-padma/rotate-token").status_code == 200
    rows = _trail(runtime)
    assert [r.action for r in rows][-4:] == ["token.created"] * 3 + ["station.feed_token_rotated"]
    assert rows[0].prev_hash == "0" * 64 and all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    result = CliRunner().invoke(main, ["verify"], catch_exceptions=False)
    assert result.exit_code == 0, result.output

    with runtime.session() as session, pytest.raises(Exception, match="append-only"):
        session.execute(text("UPDATE audit_log SET actor = 'nobody' WHERE id = :id"), {"id": rows[2].id})
    with runtime.session() as session, pytest.raises(Exception, match="append-only"):
        session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": rows[2].id})

    # Someone with the database owner's rights goes around the triggers: the chain shows it.
    victim = rows[2]
    with runtime.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET details = :d WHERE id = :id"), {"d": "{}", "id": victim.id})
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    with runtime.read_session() as session:
        report = verify_chain(session)
    assert report.broken_id == victim.id
    result = CliRunner().invoke(main, ["verify"], catch_exceptions=False)
    assert result.exit_code == 1 and f"audit_log row {victim.id}" in result.output


def test_audit_api_filters_pages_and_is_for_admins(runtime, api_as) -> None:
    admin = api_as("admin")
    create_station(admin, "radio-padma")
    admin.post("/api/v1/stations/radio-padma/rotate-token")
    for role in ("producer", "researcher"):
        assert api_as(role).get("/api/v1/audit").status_code == 403
    everything = admin.get("/api/v1/audit").json
    assert everything["total"] == len(everything["items"]) >= 3
    assert set(everything["items"][0]) >= {"id", "at", "actor", "action", "subject_type", "subject_id", "details",
                                           "prev_hash", "hash"}
    rotated = admin.get("/api/v1/audit?action=station.feed_token_rotated").json
    assert rotated["total"] == 1 and rotated["items"][0]["details"]["slug"] == "radio-padma"
    subject = rotated["items"][0]["subject_id"]
    assert admin.get(f"/api/v1/audit?subject_type=station&subject_id={subject}").json["total"] == 1
    assert admin.get("/api/v1/audit?from=2100-01-01").json["total"] == 0
    assert admin.get("/api/v1/audit?to=2000-01-01").json["total"] == 0
    paged = admin.get("/api/v1/audit?per_page=1&page=2").json
    assert len(paged["items"]) == 1 and paged["total"] == everything["total"]
    for bad, field in (("action=nothing", "action"), ("from=yesterday", "from"), ("per_page=1000", "per_page"),
                       ("page=0", "page")):
        r = admin.get(f"/api/v1/audit?{bad}")
        assert r.status_code == 400 and r.json["error"]["field"] == field, (bad, r.json)


def test_reads_of_restricted_transcripts_and_audio_are_recorded(runtime, api_as) -> None:
    with runtime.session() as session:
        secret, _ = add_episode(session, "গোপন", ["আমার নম্বর ০১৭১১২২৩৩৪৪"], restricted=True, kind="interview",
                                consent="research_only", status="ready", mime_type="audio/mpeg",
                                media_suffix=".mp3")
        shown, _ = add_episode(session, "প্রকাশ্য", ["সবাই শুনবে"], status="ready")
        secret_id, shown_id = secret.id, shown.id
        audio = runtime.store.path_for(secret.sha256, ".mp3")
        audio.parent.mkdir(parents=True, exist_ok=True)
        audio.write_bytes(b"ID3" + bytes(2000))
    researcher = api_as("researcher")
    assert researcher.get(f"/api/v1/episodes/{secret_id}/transcript").status_code == 200
    assert researcher.get(f"/api/v1/episodes/{secret_id}/transcript.srt").status_code == 200
    assert researcher.get(f"/api/v1/episodes/{shown_id}/transcript").status_code == 200
    assert api_as("producer").get(f"/api/v1/episodes/{secret_id}/transcript").status_code == 404
    assert researcher.get(f"/api/v1/episodes/{secret_id}/audio").status_code == 200
    played = researcher.get(f"/api/v1/episodes/{secret_id}/audio", headers={"Range": "bytes=1000-"})
    assert played.status_code == 206  # the same playback going on: not a new read
    reads = _trail(runtime, action="transcript.read_restricted")
    assert [r.subject_id for r in reads] == [secret_id] * 2 and reads[0].actor.startswith("researcher")
    assert [r.subject_id for r in _trail(runtime, action="audio.read_restricted")] == [secret_id]
    assert _trail(runtime, subject_id=shown_id) == []


def test_role_changes_and_token_revocations_in_the_ui_are_recorded_and_shown(client, runtime, api_as) -> None:
    from tests.ui_helpers import login, page, post_form

    producer = api_as("producer")
    login(client, runtime, "admin", email="chief@example.org")
    url = f"/admin/users/{producer.user_id}"
    assert post_form(client, url, {"role": "researcher", "station": "", "active": "1"}).status_code == 302
    with runtime.session() as session:
        token_id = session.scalars(select(ApiToken.id).where(ApiToken.user_id == producer.user_id)).first()
    assert post_form(client, f"/admin/tokens/{token_id}/revoke", {}).status_code == 302
    [role] = _trail(runtime, action="user.role")
    assert (role.actor, role.subject_id, json.loads(role.details)["to"]) == (
        "chief@example.org", producer.user_id, "researcher")
    assert [e.subject_id for e in _trail(runtime, action="token.revoked")] == [token_id]
    html = page(client, "/admin/audit?action=user.role")
    assert "user.role" in html and "chief@example.org" in html and "token.revoked" not in html.split("<tbody>")[1]
    assert "নিরীক্ষা-লগ" in page(client, "/admin/audit", lang="bn")
    assert client.get("/admin/audit?action=nothing", headers={"Accept": "text/html"}).status_code == 400


def _edit_form(**changes: str) -> dict[str, str]:
    # The interview's form as the edit page shows it, with ``changes``; "restricted" missing = unticked.
    form = {"title": "সাক্ষাৎকার", "kind": "interview", "language": "bn", "consent": "research_only",
            "restricted": "1"}
    return {k: v for k, v in {**form, **changes}.items() if v is not None}


def test_loosening_in_the_edit_form_needs_an_admin_and_a_reason(client, runtime) -> None:
    from tests.ui_helpers import login, page, post_form

    episode = _interview(runtime)
    url = f"/episodes/{episode}/edit"
    producer = client.application.test_client()
    login(producer, runtime, "producer", email="maker@example.org")
    html = page(producer, url)
    assert 'name="reason"' not in html and "Only an admin may lift a restriction" in html
    for change, field in (({"restricted": None}, "restricted"), ({"consent": "broadcast"}, "consent"),
                          ({"restricted": None, "consent": "broadcast", "reason": "she agreed"}, "restricted")):
        r = post_form(producer, url, _edit_form(**change))  # the last one with a forged reason field
        body = r.get_data(as_text=True)
        assert r.status_code == 403 and f'id="{field}-error"' in body and "only an admin may lift" in body, change
    bangla = post_form(producer, url, _edit_form(restricted=None), lang="bn")
    assert bangla.status_code == 403 and "আপনার ভূমিকায় এই পরিবর্তন করা যায় না।" in bangla.get_data(as_text=True)
    assert "কেবল একজন অ্যাডমিন" in page(producer, url, lang="bn")
    assert post_form(producer, url, _edit_form(title="নতুন শিরোনাম")).status_code == 302  # other edits stay open

    login(client, runtime, "admin", email="chief@example.org")
    html = page(client, url)
    assert 'name="reason"' in html and "Lifting protection" in html
    assert "সুরক্ষা তুলে নেওয়া" in page(client, url, lang="bn")
    refused = post_form(client, url, _edit_form(restricted=None, consent="broadcast", reason="   "))
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="reason-error"' in body
    with runtime.session() as session:
        assert session.get(Episode, episode).restricted  # nothing changed
    done = post_form(client, url, _edit_form(restricted=None, consent="broadcast",
                                             reason="the survivor agreed in writing on 2 December"))
    assert done.status_code == 302
    [loosened] = _trail(runtime, action="episode.protection_loosened")
    details = json.loads(loosened.details)
    assert loosened.actor == "chief@example.org" and loosened.subject_id == episode
    assert details["reason"] == "the survivor agreed in writing on 2 December"
    assert details["changes"]["restricted"] == {"from": True, "to": False}
    assert details["changes"]["consent"] == {"from": "research_only", "to": "broadcast"}
    assert "episode.protection_loosened" in page(client, "/admin/audit")


def test_failed_sign_ins_are_recorded_with_the_typed_account_and_address_never_the_password(client, runtime) -> None:
    from tests.ui_helpers import HTML, PASSWORD, csrf_token, login

    login(client.application.test_client(), runtime, "producer", email="real@example.org")  # a good sign-in
    typed = "Real@Example.org\x1b[2J\u200b" + "x" * 5000

    def attempt(email: str, password: str, address: str) -> int:
        return client.post("/login", data={"csrf_token": csrf_token(client), "email": email, "password": password},
                           headers=HTML, environ_base={"REMOTE_ADDR": address}).status_code

    assert attempt("real@example.org", "not-the-password-Zq9", "198.51.100.7") == 401
    assert attempt(typed, "another-secret-Zq9", "203.0.113.9") == 401
    assert attempt("real@example.org", PASSWORD, "198.51.100.7") == 302  # a success is not a failure
    rows = _trail(runtime, action="auth.login_failed")
    assert [r.actor for r in rows] == ["anonymous", "anonymous"]
    first, second = (json.loads(r.details) for r in rows)
    assert first == {"account": "real@example.org", "address": "198.51.100.7"}
    assert second["address"] == "203.0.113.9" and len(second["account"]) == 320
    assert second["account"].startswith("Real@Example.org\ufffd[2J\ufffd") and second["account"].endswith("…")
    assert rows[1].subject_id == second["account"].lower()[:64]
    everything = json.dumps([r.details for r in _trail(runtime)]) + "".join(r.subject_id for r in _trail(runtime))
    assert "Zq9" not in everything and PASSWORD not in everything and "\x1b" not in everything
    for _ in range(5):
        attempt("real@example.org", "guess-Zq9", "192.0.2.1")
    assert attempt("real@example.org", "guess-Zq9", "192.0.2.1") == 429
    assert len(_trail(runtime, action="auth.login_failed")) == 2 + 5  # the refused (429) attempt adds no row
    result = CliRunner().invoke(main, ["verify"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_listings_of_coded_segments_of_restricted_episodes_are_recorded(runtime, api_as, client) -> None:
    from tests.ui_helpers import add_episode, login, page

    researcher = api_as("researcher")
    hidden = add_episode(runtime, "গোপন সাক্ষাৎকার", ["she was sold twice"], kind="interview", restricted=True,
                         consent="research_only")
    open_ = add_episode(runtime, "Open talk", ["a public talk"], kind="talk")
    assert researcher.post("/api/v1/codes", json={"name": "debt bondage"}).status_code == 201
    for segment in (hidden["segments"][0], open_["segments"][0]):
        assert researcher.post(f"/api/v1/segments/{segment}/codes", json={"code": "debt bondage"}).status_code == 201
    assert _trail(runtime, action="coding.listed_restricted") == []
    assert len(researcher.get("/api/v1/coded-segments?code=debt bondage").json["items"]) == 2
    assert researcher.get(f"/api/v1/coded-segments.csv?episode_id={open_['id']}").status_code == 200
    assert researcher.get(f"/api/v1/segments/{hidden['segments'][0]}/codes").status_code == 200
    login(client, runtime, "researcher", email="coder@example.org")
    code_id = researcher.get("/api/v1/codes").json["items"][0]["id"]
    assert "she was sold twice" in page(client, f"/codes/{code_id}")
    rows = _trail(runtime, action="coding.listed_restricted")
    assert {r.subject_id for r in rows} == {hidden["id"]}  # the open episode's listing left no row
    assert [json.loads(r.details)["listing"] for r in rows] == ["coded-segments", "segment", "code page"]
    assert json.loads(rows[0].details) == {"listing": "coded-segments", "filters": {"code": "debt bondage"},
                                           "segments": 1}
    assert rows[-1].actor == "coder@example.org"


def _without_append_only_trigger(conn, statement: str) -> None:
    """Run ``statement`` on audit_log as its owner would, around the append-only triggers."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        conn.execute(text(statement))
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    else:
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        conn.execute(text(statement))


def test_removing_the_newest_rows_is_found_through_the_anchor(runtime, api_as) -> None:
    import stat

    from radio.audit import ANCHOR_FILE, read_anchor

    admin = api_as("admin")
    for name in ("one", "two", "three"):
        assert admin.post(f"/api/v1/users/{admin.user_id}/tokens", json={"name": name}).status_code == 201
    rows = _trail(runtime)
    anchor = runtime.settings.home / ANCHOR_FILE
    assert read_anchor(anchor) == (rows[-1].id, rows[-1].hash)  # the committed head, kept outside the database
    assert stat.S_IMODE(anchor.stat().st_mode) == 0o600
    assert CliRunner().invoke(main, ["verify"], catch_exceptions=False).exit_code == 0

    with runtime.engine.begin() as conn:  # the newest two rows go: the shorter chain still holds on its own
        _without_append_only_trigger(conn, f"DELETE FROM audit_log WHERE id > {rows[-3].id}")
    with runtime.read_session() as session:
        assert verify_chain(session).broken_id is None
    result = CliRunner().invoke(main, ["verify"], catch_exceptions=False)
    assert result.exit_code == 1 and "the newest rows were removed" in result.output, result.output
    assert f"row {rows[-1].id} was committed" in result.output

    with runtime.engine.begin() as conn:  # emptied altogether
        _without_append_only_trigger(conn, "DELETE FROM audit_log")
    result = CliRunner().invoke(main, ["verify"], catch_exceptions=False)
    assert result.exit_code == 1 and "ends at nothing" in result.output

    anchor.unlink()  # a home without an anchor (fresh or restored) is only a warning
    assert admin.post(f"/api/v1/users/{admin.user_id}/tokens", json={"name": "four"}).status_code == 201
    assert read_anchor(anchor) is not None
    anchor.unlink()
    result = CliRunner().invoke(main, ["verify"], catch_exceptions=False)
    assert result.exit_code == 0 and "warning audit_chain" in result.output and "no audit anchor" in result.output


def test_restricting_a_running_series_cancels_only_what_is_still_to_come(runtime, api_as, client) -> None:
    import datetime as dt

    from schedule_helpers import expand

    admin, producer = api_as("admin"), api_as("producer")
    padma = create_station(admin, "radio-padma")
    episode = make_episode(runtime, title="চলমান ধারাবাহিক")
    weekly = producer.post("/api/v1/broadcasts", json={  # aired at -20, -13, -6 days; to come at +1, +8, +15
        "station": "radio-padma", "episode_id": episode, "start": local_dhaka(-20), "rrule": "FREQ=WEEKLY;COUNT=6"})
    daily = producer.post("/api/v1/broadcasts", json={  # no end: began two days ago
        "station": "radio-padma", "episode_id": episode, "start": local_dhaka(-2, hour=7), "rrule": "FREQ=DAILY"})
    assert weekly.status_code == 201 and daily.status_code == 201, (weekly.json, daily.json)
    aired_day = local_dhaka(-13)[:10]
    confirmed = producer.post(f"/api/v1/broadcasts/{weekly.json['id']}/airings", json={
        "occurrence": aired_day, "status": "aired", "aired_at": f"{aired_day}T20:01"})
    assert confirmed.status_code == 201, confirmed.json
    window = {"station": "radio-padma", "from": local_dhaka(-21)[:10], "to": local_dhaka(16)[:10]}
    before = producer.get("/api/v1/airings", query_string=window).json
    assert sum(i["broadcast_id"] == weekly.json["id"] for i in before["items"]) == 6

    assert producer.patch(f"/api/v1/episodes/{episode}", json={"restricted": True}).status_code == 200
    with runtime.session() as session:
        kept = session.get(Broadcast, weekly.json["id"])
        assert kept.status == "confirmed" and "UNTIL=" in kept.rrule and "COUNT" not in kept.rrule
        rests = list(session.scalars(select(Broadcast).where(Broadcast.status == "cancelled")
                                     .order_by(Broadcast.starts_at)))
        assert [r.local_start[:10] for r in rests] == [local_dhaka(0 if dt.datetime.now(
            dt.timezone(dt.timedelta(hours=6))).hour < 7 else 1, hour=7)[:10], local_dhaka(1)[:10]]
        weekly_rest = rests[1]
        assert weekly_rest.episode_id == episode and weekly_rest.cancelled_at is not None
        assert "COUNT" not in weekly_rest.rrule and "UNTIL=" in weekly_rest.rrule  # still ends after +15 days
        assert session.get(Broadcast, daily.json["id"]).status == "confirmed"
    after = producer.get("/api/v1/airings", query_string=window).json
    mine = [i for i in after["items"] if i["broadcast_id"] == weekly.json["id"]]
    assert [i["occurrence"][:10] for i in mine] == [local_dhaka(d)[:10] for d in (-20, -13, -6)]
    assert [i["status"] for i in mine] == ["unconfirmed", "aired", "unconfirmed"]  # the confirmation stays
    assert not any(i["occurrence"][:10] > local_dhaka(0)[:10] and i["episode_id"] == episode
                   for i in after["items"])

    body = client.get(feed_path(padma["calendar_url"])).data
    text_body = body.decode().replace("\r\n ", "")
    assert "STATUS:CANCELLED" in text_body and episode not in text_body and "চলমান" not in text_body
    today = dt.date.today()
    to_come = [e for e in expand(body, today + dt.timedelta(days=1), today + dt.timedelta(days=20))
               if str(e.get("STATUS")) == "CONFIRMED"]
    assert to_come == []  # a calendar client keeps nothing of it to come
