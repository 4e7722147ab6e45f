"""Streaming multipart uploads: each file part goes straight to a file the server names inside the workspace.

The body is parsed as it arrives (python-multipart's push parser) and file bytes are written to
``.studio/uploads/<random>.part`` in a worker thread, so memory stays flat for a recording of any size. Nothing
the browser sends is used as a path: the client's file name is only shown back to the producer, and its suffix
kept when it is a plain short extension. A body that stops half-way (a closed tab, a dropped network) removes
every partial file before the error is answered; a finished recording is renamed into ``recordings/``.
"""

from __future__ import annotations

import contextlib
import errno
import re
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import anyio
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from cerdas.errors import CerdasError
from cerdas.workspace import Workspace

MAX_FIELDS_BYTES = 1 << 20  # every text field together (the description is the longest)
MAX_PARTS = 200
SPARE_BYTES = 64 << 20
BATCH_BYTES = 1 << 20  # refuse an upload that would leave less than this free
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,6}$")


class UploadError(CerdasError):
    """The upload itself went wrong (cut off, too large for the disk, not multipart)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class UploadedFile:
    """A file received from a form: where the server put it, and what the browser called it."""

    path: Path
    filename: str
    size: int = 0


@dataclass
class Form:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[-1] if values else None

    def discard(self) -> None:
        """Delete every received file (the request was refused)."""
        for upload in self.files.values():
            upload.path.unlink(missing_ok=True)


def safe_suffix(filename: str) -> str:
    """The client's extension when it is plain (``.wav``), else none: ffmpeg reads the content anyway."""
    suffix = Path(filename.replace("\\", "/")).suffix.lower()
    return suffix if _SUFFIX.match(suffix) else ""


def display_name(filename: str) -> str:
    """The client's file name, for messages only: its last part, printable, short."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable())
    return name[:120] or "upload"


class _Receiver:
    """python-multipart callbacks: collect text fields, stream files to disk."""

    def __init__(self, ws: Workspace, file_fields: set[str]) -> None:
        self.ws, self.file_fields = ws, file_fields
        self.form = Form()
        self.partials: list[Path] = []
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._buffer = bytearray()
        self._fh: IO[bytes] | None = None
        self._upload: UploadedFile | None = None
        self._text_bytes = 0
        self._parts = 0

    def callbacks(self) -> Any:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda d, s, e: self._add("_header_name", d[s:e]),
            "on_header_value": lambda d, s, e: self._add("_header_value", d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _add(self, attr: str, data: bytes) -> None:
        setattr(self, attr, getattr(self, attr) + data)

    def _part_begin(self) -> None:
        self._parts += 1
        if self._parts > MAX_PARTS:
            raise UploadError("too many form fields")
        self._headers, self._buffer = {}, bytearray()

    def _header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is not None and self._name in self.file_fields:
            client_name = filename.decode("utf-8", "replace")
            partial = self.ws.studio_upload(f"{secrets.token_hex(12)}{safe_suffix(client_name)}.part")
            partial.parent.mkdir(parents=True, exist_ok=True)
            self.partials.append(partial)
            self._fh = open(partial, "xb")  # noqa: SIM115  (closed in _part_end or on failure)
            self._upload = UploadedFile(partial, display_name(client_name))
        elif filename is not None:
            raise UploadError(f"unexpected file field {self._name!r}")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._fh is not None and self._upload is not None:
            self._fh.write(data[start:end])
            self._upload.size += end - start
            return
        self._text_bytes += end - start
        if self._text_bytes > MAX_FIELDS_BYTES:
            raise UploadError("the form's text fields are too long", 413)
        self._buffer += data[start:end]

    def _part_end(self) -> None:
        if self._fh is not None and self._upload is not None:
            self._fh.close()
            self._fh = None
            if self._upload.size > 0:
                self.form.files[self._name] = self._upload
            else:  # an empty file input: as if no file was chosen
                self._upload.path.unlink(missing_ok=True)
            self._upload = None
            return
        self.form.fields.setdefault(self._name, []).append(self._buffer.decode("utf-8", "replace"))

    def abort(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()
        for partial in self.partials:
            partial.unlink(missing_ok=True)


def _check_space(ws: Workspace, request: Request) -> None:
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        return
    folder = ws.studio_uploads_dir if ws.studio_uploads_dir.is_dir() else ws.root
    free = shutil.disk_usage(folder).free
    if int(length) + SPARE_BYTES > free:
        raise UploadError(
            f"the upload is {int(length) / 1e9:.2f} GB but the disk has {free / 1e9:.2f} GB free; "
            "free some space and try again",
            413,
        )


async def receive_form(request: Request, ws: Workspace, file_fields: set[str]) -> Form:
    """Parse a multipart body as it streams in; file fields in ``file_fields`` go to partial files.

    Raises :class:`UploadError` (and leaves no file) when the body is not multipart, is cut off, or the disk
    fills; the caller calls :meth:`Form.discard` when it refuses what arrived.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UploadError("expected a multipart/form-data body (a form with a file)", 415)
    _check_space(ws, request)
    receiver = _Receiver(ws, file_fields)
    parser = MultipartParser(boundary, receiver.callbacks())
    pending = bytearray()
    try:
        async for chunk in request.stream():
            pending += chunk
            if len(pending) >= BATCH_BYTES:  # one trip to the worker thread per MiB, not per network read
                await anyio.to_thread.run_sync(parser.write, bytes(pending))
                pending.clear()
        if pending:
            await anyio.to_thread.run_sync(parser.write, bytes(pending))
        parser.finalize()
        if receiver._fh is not None:
            raise UploadError("the upload ended in the middle of a file")
    except ClientDisconnect as exc:
        receiver.abort()
        raise UploadError("the upload was cut off before it finished; nothing was kept") from exc
    except OSError as exc:
        receiver.abort()
        if exc.errno == errno.ENOSPC:
            raise UploadError("the disk filled up during the upload; nothing was kept", 507) from exc
        raise UploadError(f"the upload could not be written: {exc.strerror}", 500) from exc
    except BaseException:
        receiver.abort()
        raise
    return _finished(receiver.form)


def _finished(form: Form) -> Form:
    """Partial files complete: drop the ``.part`` ending (still in ``.studio/uploads``)."""
    for upload in form.files.values():
        done = upload.path.with_name(upload.path.name.removesuffix(".part"))
        upload.path.rename(done)
        upload.path = done
    return form


def keep_recording(ws: Workspace, upload: UploadedFile) -> Path:
    """Move an accepted recording into ``recordings/`` under a name the server chose (date and random)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = ws.recording(f"{stamp}-{secrets.token_hex(4)}{safe_suffix(upload.filename)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    upload.path.rename(target)
    upload.path = target
    return target
