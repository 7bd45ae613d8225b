"""Faults with real processes: a worker killed mid-transcription, a server killed mid-upload, a full media disk."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from proc_helpers import STACK_PARAMS, Stack, free_port, http_get, make_stack, stop, wait_for
from sqlalchemy import func, select

from episodes.models import Episode
from episodes.services import ingest
from radio.auth import create_user, issue_token
from radio.integrity import verify_home
from tests.audio import silence, tone, write_wav
from transcripts.engine import load_audio
from transcripts.models import Segment, Transcript

pytestmark = pytest.mark.slow
DATA = Path(__file__).parent / "data"


@pytest.fixture(params=STACK_PARAMS)
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    """A home shared with worker and server processes."""
    yield from make_stack(request, tmp_path)


@pytest.fixture(scope="module")
def long_speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 45 s of English speech (the two committed clips, repeated with pauses), as 16 kHz WAV."""
    parts = []
    for _ in range(4):
        for clip in ("speech_en_river.ogg", "speech_en_farmers.ogg"):
            parts += [load_audio(DATA / clip), np.zeros(8000, dtype=np.float32)]
    return write_wav(tmp_path_factory.mktemp("speech") / "long.wav", np.concatenate(parts)[:, None], rate=16000)


def _producer_token(stack: Stack) -> str:
    with stack.runtime.session() as session:
        user = create_user(session, "producer@example.org", "producer")
        return issue_token(session, user)


def _episode_count(stack: Stack) -> int:
    with stack.runtime.read_session() as session:
        return session.scalar(select(func.count()).select_from(Episode)) or 0


def test_kill_9_during_transcription_then_a_new_worker_completes_it(stack: Stack, long_speech: Path) -> None:
    with open(long_speech, "rb") as fh, stack.runtime.session() as session:
        episode = ingest(session, stack.runtime.store, fh, {"title": "River talk", "language": "en", "kind": "talk"},
                         max_bytes=stack.runtime.settings.max_upload_bytes)
        episode_id = episode.id
    first = stack.worker()
    job_id = stack.create("transcribe", {"episode_id": episode_id, "language": "en"}, subject_id=episode_id)
    wait_for(lambda: stack.status(job_id).progress > 0.05, 120, "transcription progress\n" + stack.logs(), 0.05)
    assert stack.status(job_id).status == "running"
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    second = stack.worker()
    wait_for(lambda: stack.status(job_id).status in ("done", "failed"), 180, "the retry\n" + stack.logs())
    job = stack.status(job_id)
    assert job.status == "done" and job.attempts == 2, job.error
    with stack.runtime.read_session() as session:
        transcripts = list(session.scalars(select(Transcript).where(Transcript.episode_id == episode_id)))
        assert len(transcripts) == 1 and transcripts[0].job_id == job_id
        segments = list(session.scalars(select(Segment).where(Segment.episode_id == episode_id)
                                        .order_by(Segment.idx)))
    assert len(segments) == job.result["segments"] > 5
    assert [s.idx for s in segments] == list(range(len(segments)))  # one run's segments, none twice
    starts = [s.start for s in segments]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert any("river" in s.text.lower() for s in segments)
    assert job.result["real_time_factor"] > 0
    assert stop(second) == 0


def _start_upload(port: int, token: str, total: int) -> socket.socket:
    """Open a multipart upload of ``total`` file bytes and send its headers (the body follows separately)."""
    boundary = "radio-fault-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nKilled upload\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.wav\"\r\n"
            "Content-Type: audio/wav\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall((f"POST /api/v1/episodes HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                  f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                  f"Content-Length: {len(head) + total + len(tail)}\r\n\r\n").encode() + head)
    return sock


def test_killing_the_server_mid_upload_leaves_no_row_and_no_file(stack: Stack) -> None:
    token = _producer_token(stack)
    port = free_port()
    server = stack.server(port, "--no-worker")
    wait_for(lambda: http_get(port, "/healthz")[0] == 200, 30, "radio serve\n" + stack.logs())
    tmp_dir = stack.runtime.store.tmp_dir
    sock = _start_upload(port, token, total=50 * 1024 * 1024)
    chunk = os.urandom(256 * 1024)
    for _ in range(12):  # 3 MiB of the promised 50
        sock.sendall(chunk)
    wait_for(lambda: [p for p in tmp_dir.iterdir() if p.stat().st_size > 1024 * 1024], 20, "the staged upload")
    server.send_signal(signal.SIGKILL)
    server.wait(10)
    sock.close()
    assert [p.name for p in tmp_dir.iterdir()]  # the killed process left its temporary file behind
    report = verify_home(stack.runtime)
    assert report.ok and {p.kind for p in report.problems} == {"orphan_temp"}

    restarted = stack.server(port, "--no-worker")
    wait_for(lambda: http_get(port, "/healthz")[0] == 200, 30, "radio serve again\n" + stack.logs())
    assert list(tmp_dir.iterdir()) == []  # cleaned at start: its writer is dead
    assert _episode_count(stack) == 0 and list(stack.runtime.store.iter_objects()) == []
    report = verify_home(stack.runtime)
    assert report.ok and report.problems == []
    done = subprocess.run([str(Path(sys.executable).parent / "radio"), "verify"], env=stack.env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "clean" in done.stdout, done.stdout + done.stderr
    assert stop(restarted) == 0


@pytest.fixture
def small_media(tmp_path: Path) -> Iterator[Path]:
    """A 3 MiB tmpfs as the media folder (skips where mounting is not allowed)."""
    mount = tmp_path / "small-media"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _post_file(port: int, token: str, content: bytes, title: str) -> tuple[int, dict]:
    boundary = "radio-disk-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n{title}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
            "Content-Type: audio/wav\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/api/v1/episodes", body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def test_a_full_media_disk_answers_507_and_keeps_nothing(stack: Stack, small_media: Path, tmp_path: Path) -> None:
    token = _producer_token(stack)
    port = free_port()
    env = {**stack.env, "RADIO_MEDIA_DIR": str(small_media)}
    server = stack.server(port, "--no-worker", env=env)
    wait_for(lambda: http_get(port, "/healthz")[0] == 200, 30, "radio serve\n" + stack.logs())
    small = write_wav(tmp_path / "small.wav", np.concatenate([silence(0.2, 16000), tone(1.0, rate=16000)]), 16000)
    status, body = _post_file(port, token, small.read_bytes(), "fits")
    assert status == 201, body
    big = write_wav(tmp_path / "big.wav", tone(120.0, rate=16000), 16000)  # 3.8 MB: more than the disk holds
    status, body = _post_file(port, token, big.read_bytes(), "too big for the disk")
    assert status == 507 and body["error"]["code"] == "storage_full", body
    time.sleep(0.2)
    assert list((small_media / "tmp").iterdir()) == []
    assert _episode_count(stack) == 1
    objects = [p.name[:64] for p in small_media.glob("??/??/*")]
    with stack.runtime.read_session() as session:
        assert objects == list(session.scalars(select(Episode.sha256)))
    # The service keeps working once there is room: the small file again is a duplicate, not an error.
    status, body = _post_file(port, token, small.read_bytes(), "again")
    assert status == 409 and body["error"]["code"] == "duplicate"
    assert stop(server) == 0
