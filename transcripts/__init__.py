"""Whisper transcripts as evidence: engine, jobs, segments, revisions, search and exports."""
