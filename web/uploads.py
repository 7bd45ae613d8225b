"""Streaming multipart reader: the file part flows chunk by chunk to the caller, never whole in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flask import Request
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from radio.errors import InvalidInput
from web.contract import validate_model
from web.schemas.base import Body

CHUNK = 256 * 1024
MAX_FIELDS_BYTES = 512 * 1024  # all text fields together


class StreamingUpload:
    """Iterate it for the bytes of the ``file`` part; ``fields`` fills in as the body is read (all of it at the end).

    ``fields["filename"]`` is the client's file name unless the form sent its own ``filename`` field.
    ``start_file()`` reads only up to the file part, so a view can look at the fields sent before it (a CSRF
    token) before accepting a single byte of the file.
    """

    def __init__(self, request: Request, file_field: str = "file") -> None:
        mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
        if mimetype != "multipart/form-data" or not options.get("boundary"):
            raise InvalidInput("send the audio as multipart/form-data with a 'file' part", code="not_multipart")
        self.stream = request.stream
        self.decoder = MultipartDecoder(options["boundary"].encode("latin-1"), max_form_memory_size=MAX_FIELDS_BYTES)
        self.file_field = file_field
        self.fields: dict[str, Any] = {}
        self.saw_file = False
        self._field_bytes = 0
        self._chunks = self._read()
        self._has_file: bool | None = None  # None until start_file() has looked

    def start_file(self) -> bool:
        """Read the body up to the start of the file part: True when there is one (``fields`` then holds the
        fields sent before it), False when the body ended without one (``fields`` then holds all of them)."""
        if self._has_file is None:
            self._has_file = next(self._chunks, None) is not None  # _read yields b"" as the file part begins
        return self._has_file

    def __iter__(self) -> Iterator[bytes]:
        if not self.start_file():
            raise InvalidInput("the form has no 'file' part", code="missing_file")
        yield from self._chunks

    def drain(self) -> None:
        """Read the rest of the body, throwing the file's bytes away (for the fields that follow the file)."""
        if self.start_file():
            for _chunk in self._chunks:
                pass

    def _read(self) -> Iterator[bytes]:
        current: str | None = None  # the field being read; "" while inside the file part
        buffer = bytearray()
        finished = False
        while not finished:
            chunk = self.stream.read(CHUNK)
            self.decoder.receive_data(chunk or None)
            event = self._next()
            while not isinstance(event, NeedData):
                if isinstance(event, Epilogue):
                    finished = True
                    break
                if isinstance(event, File) and event.name == self.file_field:
                    if self.saw_file:
                        raise InvalidInput("send exactly one 'file' part", code="too_many_files")
                    self.saw_file, current = True, ""
                    self.fields.setdefault("filename", event.filename or "")
                    yield b""  # the file part begins: start_file() stops here
                elif isinstance(event, File | Field):
                    current, buffer = event.name, bytearray()
                    if isinstance(event, File):
                        raise InvalidInput(f"unexpected file part {event.name!r}", code="unexpected_file")
                elif isinstance(event, Data):
                    if current == "":
                        if event.data:
                            yield event.data
                    else:
                        self._field_bytes += len(event.data)
                        if self._field_bytes > MAX_FIELDS_BYTES:
                            raise InvalidInput("the form fields are too large", code="fields_too_large")
                        buffer += event.data
                        if not event.more_data and current is not None:
                            self._add_field(current, bytes(buffer))
                event = self._next()
            if not chunk and not finished:
                raise InvalidInput("the upload ended before the multipart body was complete", code="incomplete_body")

    def _next(self) -> Any:
        try:
            return self.decoder.next_event()
        except ValueError as exc:
            raise InvalidInput(f"the multipart body is malformed: {exc}", code="malformed_multipart") from exc

    def _add_field(self, name: str, raw: bytes) -> None:
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"field {name!r} is not UTF-8 text", code="invalid_field") from exc
        if name == "filename" and self.fields.get("filename") and not value:
            return
        self.fields[name] = value


class StreamedForm(Mapping[str, Any]):
    """The metadata fields of a streamed upload, validated with ``model`` only when first read.

    ``episodes.services.ingest`` reads its metadata after the file part, so the fields that follow the file
    have arrived by then; ``prepare`` turns the raw fields into the model's input first (a form's checkbox).
    The validated fields the client sent are what the service gets, with the file's ``filename``.
    """

    def __init__(self, fields: dict[str, Any], model: type[Body],
                 prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> None:
        self.fields, self.model, self.prepare = fields, model, prepare
        self._values: dict[str, Any] | None = None

    def values_(self) -> dict[str, Any]:
        """The validated fields (InvalidInput naming the failing field when one is bad)."""
        if self._values is None:
            data = self.prepare(self.fields) if self.prepare else dict(self.fields)
            changes = validate_model(self.model, data).changes()
            changes.setdefault("filename", self.fields.get("filename", ""))
            self._values = changes
        return self._values

    def __getitem__(self, key: str) -> Any:
        return self.values_()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values_())

    def __len__(self) -> int:
        return len(self.values_())
