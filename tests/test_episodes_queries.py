"""episodes.queries: the newest job of each kind about an episode."""

from __future__ import annotations

import datetime as dt

from episodes.queries import latest_jobs
from radio.jobs import create_job
from radio.models import JobStatus
from tests.schedule_helpers import make_episode


def test_latest_jobs_gives_the_newest_of_each_kind_however_many_runs(runtime) -> None:
    episode, other = make_episode(runtime), make_episode(runtime)
    base = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    with runtime.session() as session:
        assert latest_jobs(session, episode) == []

        def job(kind: str, minutes: int, subject: str = episode, status: str = JobStatus.DONE) -> str:
            row = create_job(session, kind, {"episode_id": subject}, subject_id=subject)
            row.created_at, row.status = base + dt.timedelta(minutes=minutes), status
            return row.id

        job("episode.analyse", 0, status=JobStatus.FAILED)
        analyse = job("episode.analyse", 1)
        transcribe = job("transcribe", 2, status=JobStatus.RUNNING)
        renders = [job("episode.render", 10 + i) for i in range(25)]  # re-rendered many times
        job("transcribe", 100, subject=other)  # another episode's newer job
        session.flush()
        jobs = latest_jobs(session, episode)
        assert [(j.kind, j.id) for j in jobs] == [
            ("episode.render", renders[-1]), ("transcribe", transcribe), ("episode.analyse", analyse)]
        assert jobs[1].status == JobStatus.RUNNING
        assert [j.kind for j in latest_jobs(session, other)] == ["transcribe"]
        assert latest_jobs(session, "no-such-episode") == []
