"""The rundown editor without JavaScript (plain forms, post/redirect/get) and its API: drafts, edits against a
``rev``, the running time against the slot with the ``does_not_fit`` overrun named, and refusals that change
nothing."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from episodes.programme_models import Programme
from tests.ui_helpers import HTML, add_episode, login, page, post_form


def _rev(html: str) -> str:
    match = re.search(r'name="rev" value="([0-9a-f]+)"', html)
    assert match, "no rev on the editor page"
    return match.group(1)


def _items(runtime: Any, programme_id: str) -> list[dict[str, Any]]:
    with runtime.read_session() as session:
        programme = session.get(Programme, programme_id)
        assert programme is not None
        return [dict(i) for i in programme.items]


def test_a_producer_builds_a_rundown_with_plain_forms(client: Any, runtime: Any) -> None:
    talk = add_episode(runtime, "আলোচনা: নিরাপদ অভিবাসন", ["x"], kind="talk", seconds=40)
    tune = add_episode(runtime, "Signature tune", ["y"], kind="song", seconds=30)
    secret = add_episode(runtime, "Restricted interview", ["z"], kind="interview", seconds=20, restricted=True)
    login(client, runtime, "producer")
    assert "Programmes" in page(client, "/programmes")
    bad = post_form(client, "/programmes", {"title": "", "slot_min": "abc"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    created = post_form(client, "/programmes", {"title": "সকালের অনুষ্ঠান", "slot_min": "1", "crossfade_s": "1"})
    assert created.status_code == 302
    url = created.headers["Location"].split("#")[0]
    programme_id = url.rsplit("/", 1)[1]
    html = page(client, url)
    assert "Add items from the library" in html and "Signature tune" in html
    assert "Restricted interview" not in html  # the picker offers only broadcastable, analysed episodes
    for episode, role in ((tune, "music"), (talk, "speech")):
        rev = _rev(page(client, url))
        r = post_form(client, f"{url}/items", {"episode_id": episode["id"], "role": role, "rev": rev})
        assert r.status_code == 302
    assert [i["episode_id"] for i in _items(runtime, programme_id)] == [tune["id"], talk["id"]]
    html = page(client, url)
    assert "1:09" in html or "01:09" in html  # 30 + 40 − 1 s crossfade, against the 1:00 slot
    assert "shortened by 9.0 s" in html
    # Down on the first item (a replayed form with the old rev changes nothing).
    rev = _rev(html)
    assert post_form(client, f"{url}/items/0/move", {"to": "1", "rev": rev}).status_code == 302
    assert [i["episode_id"] for i in _items(runtime, programme_id)] == [talk["id"], tune["id"]]
    replay = post_form(client, f"{url}/items/0/move", {"to": "1", "rev": rev}, follow_redirects=True)
    assert "since this page was loaded" in replay.get_data(as_text=True)
    assert [i["episode_id"] for i in _items(runtime, programme_id)] == [talk["id"], tune["id"]]
    # In and out points by number; a bad pair is refused naming the field.
    rev = _rev(page(client, url))
    wrong = post_form(client, f"{url}/items/0", {"in_s": "10", "out_s": "5", "role": "speech", "rev": rev},
                      follow_redirects=True)
    assert "out_s" in wrong.get_data(as_text=True)
    assert _items(runtime, programme_id)[0]["in_s"] == 0.0
    ok = post_form(client, f"{url}/items/0", {"in_s": "2.5", "out_s": "32.5", "role": "speech", "fade_in_s": "0",
                                              "fade_out_s": "0.5", "rev": rev})
    assert ok.status_code == 302
    assert (_items(runtime, programme_id)[0]["in_s"], _items(runtime, programme_id)[0]["out_s"]) == (2.5, 32.5)
    # Speech longer than the slot: the page names the overrun, and rendering is refused with it.
    rev = _rev(page(client, url))
    post_form(client, f"{url}/items/0", {"in_s": "0", "out_s": "40", "role": "speech", "rev": rev})
    rev = _rev(page(client, url))
    post_form(client, f"{url}/items", {"episode_id": talk["id"], "role": "speech", "rev": rev})
    html = page(client, url)
    assert 'data-problem="does_not_fit"' in html and "20.0 s longer than the slot" in html
    refused = post_form(client, f"{url}/render", {}, follow_redirects=True)
    assert "20.0 s longer than the slot" in refused.get_data(as_text=True)
    assert post_form(client, f"{url}/items", {"episode_id": secret["id"], "rev": _rev(html)},
                     follow_redirects=True).status_code == 200
    assert len(_items(runtime, programme_id)) == 3  # the restricted episode was not added
    rev = _rev(page(client, url))
    assert post_form(client, f"{url}/items/2/remove", {"rev": rev}).status_code == 302
    assert len(_items(runtime, programme_id)) == 2
    bangla = page(client, url, lang="bn")
    assert "চলার সময়" in bangla and "সংগীত ও জিঙ্গেল" in bangla  # the editor and its running time in Bangla


def test_the_api_edits_a_draft_against_its_rev(api_as: Any, runtime: Any) -> None:
    talk = add_episode(runtime, "Talk", ["x"], kind="talk", seconds=40)
    producer = api_as("producer")
    created = producer.post("/api/v1/programmes/drafts", json={"title": "Draft", "slot_s": 30})
    assert created.status_code == 201, created.get_json()
    draft = created.get_json()
    assert draft["status"] == "draft" and draft["items"] == [] and draft["timing"]["problem"]["code"] == "empty"
    url = f"/api/v1/programmes/{draft['id']}/rundown"
    edited = producer.put(url, json={"rev": draft["rev"], "items": [{"episode_id": talk["id"], "out_s": 35}]})
    assert edited.status_code == 200, edited.get_json()
    timing = edited.get_json()["timing"]
    assert timing["fits"] is False and timing["problem"]["code"] == "does_not_fit"
    assert timing["problem"]["overrun_s"] == 5.0 and timing["total_s"] == 35.0
    stale = producer.put(url, json={"rev": draft["rev"], "items": []})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "rundown_changed"
    outside = producer.put(url, json={"items": [{"episode_id": talk["id"], "in_s": 50}]})
    assert outside.status_code == 400 and outside.get_json()["error"]["field"] == "items.0.in_s"
    fits = producer.put(url, json={"items": [{"episode_id": talk["id"], "in_s": 10}]}).get_json()
    assert fits["timing"]["fits"] is True and fits["timing"]["items"][0]["end_s"] == 30.0
    assert producer.put("/api/v1/programmes/nope/rundown", json={"items": []}).status_code == 404
    with runtime.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Programme)) == 1
    assert api_as("station").put(url, json={"items": []}).status_code == 403
    assert HTML  # the UI helpers are shared with the page test above
