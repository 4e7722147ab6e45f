"""Resumable ``videos.insert``: the session, chunks with ``Content-Range``, status queries, the stored video."""

from __future__ import annotations

import json
import secrets
from typing import Any

from cerdas.devtools.emulator.handlers import _Base
from cerdas.devtools.emulator.state import (
    CHUNK_GRANULARITY,
    ApiError,
    StoredVideo,
    UploadSession,
    new_id,
    now_stamp,
    playlist_item,
    validate_video,
)


class UploadRoutes(_Base):
    # -- videos ----------------------------------------------------------------------------------------------
    def _h_videos_insert(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        if query.get("uploadType", [""])[0] != "resumable":
            raise ApiError(400, "badRequest", "Only resumable uploads are emulated.")
        meta = json.loads(body or b"{}")
        validate_video(meta)
        try:
            total = int(self.headers.get("X-Upload-Content-Length", ""))
        except ValueError:
            raise ApiError(400, "badRequest", "X-Upload-Content-Length is required.") from None
        self.state.charge("videos.insert")
        sid = "emu-" + secrets.token_urlsafe(18)
        path = self.state.root / "uploads" / f"{sid}.bin" if self.state.store_media else None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"")
        session = UploadSession(sid, total, self.headers.get("X-Upload-Content-Type", "video/*"), meta, path)
        with self.state.lock:
            self.state.sessions[sid] = session
        part = query.get("part", ["snippet,status"])[0]
        location = f"{self.base}upload/youtube/v3/videos?uploadType=resumable&part={part}&upload_id={sid}"
        return 200, None, {"Location": location, "X-GUploader-UploadID": sid}

    def _session(self, query: dict[str, list[str]]) -> UploadSession:
        sid = query.get("upload_id", [""])[0]
        with self.state.lock:
            session = self.state.sessions.get(sid)
        if session is None:
            raise ApiError(404, "notFound", "The upload session was not found or has expired.")
        return session

    def _progress(self, session: UploadSession) -> tuple[int, Any, dict[str, str]]:
        if session.video_id:
            return 200, self.state.videos[session.video_id].resource, {}
        headers = {"Range": f"bytes=0-{session.received - 1}"} if session.received else {}
        return 308, None, headers

    def _h_upload_query(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        session = self._session(query)
        with session.lock:
            return self._progress(session)

    def _h_upload_chunk(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        session = self._session(query)
        spec = self.headers.get("Content-Range", "")
        try:
            unit, rest = spec.split(" ", 1)
            span, total_text = rest.split("/", 1)
            first, last = (int(x) for x in span.split("-", 1))
            if unit != "bytes" or last - first + 1 != len(body):
                raise ValueError
        except ValueError:
            raise ApiError(400, "badRequest", f"Bad Content-Range {spec!r} for {len(body)} bytes.") from None
        if total_text != "*" and int(total_text) != session.total:
            raise ApiError(400, "badRequest", "The total size does not match X-Upload-Content-Length.")
        final = last + 1 == session.total
        if not final and len(body) % CHUNK_GRANULARITY:
            raise ApiError(400, "badRequest", "Chunks other than the last must be a multiple of 256 KiB.")
        with session.lock:
            if session.video_id:
                return self._progress(session)
            if first > session.received:  # a gap: tell the client what we have
                return self._progress(session)
            skip = session.received - first
            fresh = body[skip:]
            if skip and session.path is not None:
                with open(session.path, "rb") as fh:
                    fh.seek(first)
                    if fh.read(skip) != body[:skip]:
                        raise ApiError(400, "badContent", "Re-sent bytes differ from the bytes already stored.")
            if fresh:
                if session.path is not None:
                    with open(session.path, "ab") as fh:
                        fh.write(fresh)
                session.digest.update(fresh)
                session.received += len(fresh)
            if session.received == session.total:
                self._finish(session)
            return self._progress(session)

    def _finish(self, session: UploadSession) -> None:
        vid = new_id()
        meta = session.body
        snippet = dict(meta.get("snippet", {}))
        status = dict(meta.get("status", {}))
        resource = {
            "kind": "youtube#video",
            "etag": new_id(27),
            "id": vid,
            "snippet": {
                **snippet,
                "publishedAt": now_stamp(),
                "channelId": self.state.channel_id,
                "channelTitle": self.state.channel_title,
                "categoryId": str(snippet.get("categoryId", "22")),
                "liveBroadcastContent": "none",
            },
            "status": {
                "uploadStatus": "uploaded",
                "privacyStatus": status.get("privacyStatus", "public"),
                "license": "youtube",
                "embeddable": True,
                "publicStatsViewable": True,
                "selfDeclaredMadeForKids": bool(status.get("selfDeclaredMadeForKids", False)),
                "madeForKids": bool(status.get("selfDeclaredMadeForKids", False)),
                **({"publishAt": status["publishAt"]} if status.get("publishAt") else {}),
            },
            "processingDetails": {"processingStatus": "processing"},
        }
        video_path = None
        if session.path is not None:
            video_path = self.state.root / "videos" / f"{vid}.bin"
            video_path.parent.mkdir(parents=True, exist_ok=True)
            session.path.replace(video_path)
        with self.state.lock:
            self.state.videos[vid] = StoredVideo(resource, session.total, session.digest.hexdigest(), video_path)
            item_id = new_id(20)
            self.state.playlist_items[item_id] = playlist_item(
                item_id, self.state.uploads_playlist, vid, snippet.get("title", "")
            )
        session.video_id = vid
