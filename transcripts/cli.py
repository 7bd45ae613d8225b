"""``radio transcribe``: queue transcriptions, or run them here and wait with a progress bar."""

from __future__ import annotations

import sys
import threading
import time

import click

from radio.jobs import run_job
from radio.models import Job, JobStatus
from radio.runtime import Runtime
from transcripts.engine import LANGUAGES

POLL_S = 0.5



def _job_state(runtime: Runtime, job_id: str) -> Job:
    with runtime.read_session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def wait_with_progress(runtime: Runtime, job_id: str, label: str) -> Job:
    """Run a queued job in this process (a worker may hold it instead) and show its progress until it ends."""
    runner = threading.Thread(target=run_job, args=(runtime, job_id), name=f"transcribe-{job_id}", daemon=True)
    runner.start()
    shown = 0
    with click.progressbar(length=1000, label=label, show_eta=True, file=sys.stderr) as bar:
        while True:
            job = _job_state(runtime, job_id)
            done = int(job.progress * 1000)
            if done > shown:
                bar.update(done - shown)
                shown = done
            if job.status in (JobStatus.DONE, JobStatus.FAILED) and not runner.is_alive():
                if job.status == JobStatus.DONE and shown < 1000:
                    bar.update(1000 - shown)
                return job
            if not runner.is_alive() and job.status == JobStatus.QUEUED:
                # Claimed by nobody: another worker released it; run it here again.
                runner = threading.Thread(target=run_job, args=(runtime, job_id), daemon=True)
                runner.start()
            time.sleep(POLL_S)


@click.command()
@click.argument("episode_ids", nargs=-1, required=True)
@click.option("--language", type=click.Choice(LANGUAGES), default="auto", show_default=True,
              help="Spoken language; auto detects it.")
@click.option("--wait", is_flag=True, help="Run the transcription here and wait for it, with a progress bar.")
@click.option("--replace", is_flag=True, help="Transcribe again even when people have corrected the transcript.")
def transcribe(episode_ids: tuple[str, ...], language: str, wait: bool, replace: bool) -> None:
    """Queue (or with --wait run and wait for) the transcription of episodes."""
    from radio.cli import runtime_for_cli
    from transcripts.services import request_transcription
    from transcripts.whisper_models import model_status

    runtime = runtime_for_cli()
    status = model_status(runtime.settings)
    multilingual = status.get("multilingual") if status["available"] else None
    with runtime.session() as session:
        jobs = [(episode_id, request_transcription(session, episode_id, language, None, replace=replace,
                                                   multilingual_model=multilingual).id)
                for episode_id in episode_ids]
    failed = 0
    for episode_id, job_id in jobs:
        if not wait:
            click.echo(f"queued job {job_id} for episode {episode_id}")
            continue
        job = wait_with_progress(runtime, job_id, f"episode {episode_id}")
        if job.status == JobStatus.DONE:
            result = job.result
            click.echo(f"episode {episode_id}: {result.get('segments', 0)} segments, language "
                       f"{result.get('language', '?')}, job {job_id}")
        else:
            failed += 1
            click.echo(f"episode {episode_id}: failed: {job.error}", err=True)
    if failed:
        raise click.ClickException(f"{failed} of {len(jobs)} transcriptions failed")
