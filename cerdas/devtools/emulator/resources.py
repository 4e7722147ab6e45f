"""Everything but uploads: videos list/update, channels, captions, thumbnails, playlist items, control."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any
from urllib.parse import urlparse

from cerdas.devtools.emulator.faults import Fault
from cerdas.devtools.emulator.handlers import _Base
from cerdas.devtools.emulator.state import (
    THUMBNAIL_MAX,
    ApiError,
    StoredVideo,
    new_id,
    now_stamp,
    playlist_item,
    validate_video,
)


class ResourceRoutes(_Base):
    def _video(self, video_id: str) -> StoredVideo:
        with self.state.lock:
            video = self.state.videos.get(video_id)
        if video is None:
            raise ApiError(404, "videoNotFound", "The video could not be found.", "youtube.video")
        return video

    def _h_videos_list(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        self.state.charge("videos.list")
        ids = [i for v in query.get("id", []) for i in v.split(",") if i]
        if len(ids) > 50:
            raise ApiError(400, "invalidParameter", "The id parameter takes at most 50 ids.", "youtube.parameter")
        with self.state.lock:
            items = [self.state.videos[i].resource for i in ids if i in self.state.videos]
        if "statistics" in query.get("part", [""])[0].split(","):
            items = [dict(item, statistics=self.state.statistics_of(item["id"])) for item in items]
        return (
            200,
            {
                "kind": "youtube#videoListResponse",
                "items": items,
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
            },
            {},
        )

    def _h_videos_update(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        meta = json.loads(body or b"{}")
        video = self._video(str(meta.get("id", "")))
        parts = query.get("part", [""])[0].split(",")
        if "snippet" in parts and not meta.get("snippet", {}).get("categoryId"):
            raise ApiError(
                400, "invalidCategoryId", "snippet.categoryId is required when updating the snippet.", "youtube.video"
            )
        validate_video(
            {
                "snippet": meta.get("snippet", video.resource["snippet"]),
                "status": meta.get("status", {}) if "status" in parts else {},
            }
        )
        self.state.charge("videos.update")
        with self.state.lock:
            if "snippet" in parts:
                video.resource["snippet"].update(meta.get("snippet", {}))
            if "status" in parts:
                video.resource["status"].update(meta.get("status", {}))
        return 200, video.resource, {}

    def _h_channels_list(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        self.state.charge("channels.list")
        st = self.state
        with st.lock:
            count = len(st.videos)
        item = {
            "kind": "youtube#channel",
            "id": st.channel_id,
            "snippet": {"title": st.channel_title, "description": "Emulated channel", "customUrl": "@cerdas"},
            "contentDetails": {"relatedPlaylists": {"uploads": st.uploads_playlist}},
            "statistics": {"videoCount": str(count), "subscriberCount": "0", "viewCount": "0"},
        }
        return 200, {"kind": "youtube#channelListResponse", "items": [item]}, {}

    # -- captions --------------------------------------------------------------------------------------------
    def _multipart(self, body: bytes) -> tuple[dict[str, Any], bytes]:
        ctype = self.headers.get("Content-Type", "")
        if "boundary=" not in ctype:
            raise ApiError(400, "badRequest", "Expected a multipart/related body.")
        boundary = ctype.split("boundary=", 1)[1].split(";")[0].strip().strip('"').encode()
        parts = []
        for raw in body.split(b"--" + boundary)[1:]:
            if raw.startswith(b"--"):
                break
            raw = raw[2:] if raw.startswith(b"\r\n") else raw[1:] if raw.startswith(b"\n") else raw
            sep = b"\r\n\r\n" if b"\r\n\r\n" in raw else b"\n\n"
            _headers, _, content = raw.partition(sep)
            content = (
                content[:-2] if content.endswith(b"\r\n") else content[:-1] if content.endswith(b"\n") else content
            )
            parts.append(content)
        if len(parts) != 2:
            raise ApiError(400, "badRequest", "Expected metadata and media parts.")
        return json.loads(parts[0] or b"{}"), parts[1]

    @staticmethod
    def _check_caption(media: bytes) -> None:
        try:
            text = media.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "invalidCaptionFormat", "Captions must be UTF-8.", "youtube.caption") from None
        if "-->" not in text:
            raise ApiError(400, "invalidCaptionFormat", "The caption track is not SRT or WebVTT.", "youtube.caption")

    def _h_captions_insert(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        meta, media = self._multipart(body)
        snippet = meta.get("snippet", {})
        self._video(str(snippet.get("videoId", "")))
        self._check_caption(media)
        with self.state.lock:
            for cap in self.state.captions.values():
                s = cap["snippet"]
                if (s["videoId"], s["language"], s["name"]) == (
                    snippet["videoId"],
                    snippet.get("language"),
                    snippet.get("name", ""),
                ):
                    raise ApiError(
                        409,
                        "captionExists",
                        "The video already has a caption track with this language and name.",
                        "youtube.caption",
                    )
        self.state.charge("captions.insert")
        cid = "AUieDa" + new_id(30)
        resource = {
            "kind": "youtube#caption",
            "etag": new_id(27),
            "id": cid,
            "snippet": {
                "videoId": snippet["videoId"],
                "language": snippet.get("language", ""),
                "name": snippet.get("name", ""),
                "trackKind": "standard",
                "isDraft": bool(snippet.get("isDraft", False)),
                "status": "serving",
                "lastUpdated": now_stamp(),
            },
        }
        with self.state.lock:
            self.state.captions[cid] = resource
            self.state.caption_bodies[cid] = media
        return 200, resource, {}

    def _h_captions_update(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        meta, media = self._multipart(body)
        cid = str(meta.get("id", ""))
        with self.state.lock:
            resource = self.state.captions.get(cid)
        if resource is None:
            raise ApiError(404, "captionNotFound", "The caption track could not be found.", "youtube.caption")
        self._check_caption(media)
        self.state.charge("captions.update")
        with self.state.lock:
            resource["snippet"]["lastUpdated"] = now_stamp()
            self.state.caption_bodies[cid] = media
        return 200, resource, {}

    def _h_captions_list(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        video_id = query.get("videoId", [""])[0]
        self._video(video_id)
        self.state.charge("captions.list")
        with self.state.lock:
            items = [c for c in self.state.captions.values() if c["snippet"]["videoId"] == video_id]
        return 200, {"kind": "youtube#captionListResponse", "items": items}, {}

    # -- thumbnails ------------------------------------------------------------------------------------------
    def _h_thumbnails_set(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        video_id = query.get("videoId", [""])[0]
        self._video(video_id)
        ctype = self.headers.get("Content-Type", "")
        if len(body) > THUMBNAIL_MAX:
            raise ApiError(400, "mediaBodyTooBig", "The thumbnail is larger than 2 MB.", "youtube.thumbnail")
        if not (body.startswith(b"\xff\xd8\xff") or body.startswith(b"\x89PNG\r\n\x1a\n")):
            raise ApiError(400, "invalidImage", "The thumbnail image is not a JPEG or PNG.", "youtube.thumbnail")
        self.state.charge("thumbnails.set")
        with self.state.lock:
            old = self.state.thumbnails.get(video_id, {})
            self.state.thumbnails[video_id] = {
                "sha256": hashlib.sha256(body).hexdigest(),
                "size": len(body),
                "mimetype": ctype,
                "sets": int(old.get("sets", 0)) + 1,
            }
        url = f"https://i.ytimg.com/vi/{video_id}/default.jpg"
        return (
            200,
            {"kind": "youtube#thumbnailSetResponse", "items": [{"default": {"url": url, "width": 120, "height": 90}}]},
            {},
        )

    # -- playlists -------------------------------------------------------------------------------------------
    def _h_playlistItems_list(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        playlist = query.get("playlistId", [""])[0]
        video_id = query.get("videoId", [""])[0]
        if playlist not in self.state.playlists:
            raise ApiError(404, "playlistNotFound", "The playlist could not be found.", "youtube.playlistItem")
        self.state.charge("playlistItems.list")
        with self.state.lock:
            items = [
                i
                for i in self.state.playlist_items.values()
                if i["snippet"]["playlistId"] == playlist
                and (not video_id or i["snippet"]["resourceId"]["videoId"] == video_id)
            ]
        items = sorted(items, key=lambda i: i["snippet"]["position"], reverse=playlist.startswith("UU"))
        return (
            200,
            {
                "kind": "youtube#playlistItemListResponse",
                "items": items[:50],
                "pageInfo": {"totalResults": len(items), "resultsPerPage": 50},
            },
            {},
        )

    def _h_playlistItems_insert(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        meta = json.loads(body or b"{}")
        snippet = meta.get("snippet", {})
        playlist = str(snippet.get("playlistId", ""))
        if playlist not in self.state.playlists or playlist.startswith("UU"):
            raise ApiError(404, "playlistNotFound", "The playlist could not be found.", "youtube.playlistItem")
        video_id = str(snippet.get("resourceId", {}).get("videoId", ""))
        video = self._video(video_id)
        self.state.charge("playlistItems.insert")
        item_id = new_id(20)
        with self.state.lock:  # YouTube itself happily adds the same video twice: idempotency is the client's job
            item = playlist_item(item_id, playlist, video_id, video.resource["snippet"].get("title", ""))
            item["snippet"]["position"] = sum(
                1 for i in self.state.playlist_items.values() if i["snippet"]["playlistId"] == playlist
            )
            self.state.playlist_items[item_id] = item
        return 200, item, {}

    def _h_playlistItems_delete(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        item_id = query.get("id", [""])[0]
        with self.state.lock:
            item = self.state.playlist_items.get(item_id)
        if item is None or item["snippet"]["playlistId"].startswith("UU"):
            raise ApiError(404, "playlistItemNotFound", "The playlist item could not be found.", "youtube.playlistItem")
        self.state.charge("playlistItems.delete")
        with self.state.lock:
            del self.state.playlist_items[item_id]
        return 204, None, {}

    # -- control ---------------------------------------------------------------------------------------------
    def _h_control(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        path = urlparse(self.path).path
        data = json.loads(body or b"{}") if body else {}
        if path == "/_emulator/state":
            return 200, self.state.summary(), {}
        if path == "/_emulator/faults" and self.command == "POST":
            fault = self.state.add_fault(
                Fault(**{k: v for k, v in data.items() if k in ("op", "kind", "nth", "times", "status", "delay")})
            )
            return 200, asdict(fault), {}
        if path == "/_emulator/quota" and self.command == "POST":
            self.state.reset_quota(int(data.get("used", 0)), data.get("limit"))
            return 200, {"quota_used": self.state.quota_used, "quota_limit": self.state.quota_limit}, {}
        if path == "/_emulator/statistics" and self.command == "POST":
            self.state.set_statistics(
                str(data["video_id"]),
                int(data.get("views", 0)),
                int(data.get("likes", 0)),
                int(data.get("comments", 0)),
            )
            return 200, {"statistics": self.state.statistics_of(str(data["video_id"]))}, {}
        if path == "/_emulator/analytics" and self.command == "POST":
            self.state.add_analytics(
                str(data["video_id"]), str(data["day"]), int(data["views"]), float(data["minutes"])
            )
            return 200, {"added": True}, {}
        if path == "/_emulator/revoke" and self.command == "POST":
            self.state.revoke()
            return 200, {"revoked": True}, {}
        raise ApiError(404, "notFound", f"No control endpoint {path}.")
