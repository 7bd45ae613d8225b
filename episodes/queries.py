"""Read-only queries about an episode for the pages that show it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from radio.models import Job


def latest_jobs(session: Session, episode_id: str) -> list[Job]:
    """The newest job of each kind about the episode (analysis, rendition, transcription), newest first.

    One query with a window function, so a kind run many times (re-renders) cannot push another kind's job
    out of view.
    """
    rank = func.row_number().over(partition_by=Job.kind, order_by=(Job.created_at.desc(), Job.id.desc()))
    ranked = select(Job.id.label("id"), rank.label("rank")).where(Job.subject_id == episode_id).subquery()
    query = (select(Job).join(ranked, ranked.c.id == Job.id).where(ranked.c.rank == 1)
             .order_by(Job.created_at.desc(), Job.id.desc()))
    return list(session.scalars(query))
