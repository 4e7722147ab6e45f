"""Faults injected per operation: a status on the n-th request, dropped connections, expired tokens, quota."""

from __future__ import annotations

from dataclasses import dataclass

FAULT_KINDS = {
    "status",
    "drop_before",
    "drop_after",
    "unauthorized",
    "quota",
    "upload_limit",
    "rate_limit",
    "slow",
    "video_not_found",
}


@dataclass
class Fault:
    """Misbehave on matching requests: the ``nth`` one (1-based) and the ``times - 1`` after it.

    ``op``: an operation name (``videos.insert``, ``upload.chunk``, ``upload.query``, ``captions.insert``,
    ``thumbnails.set``, ``playlistItems.insert``, ``token``, ...) or ``any``.
    ``kind``: ``status`` (answer ``status`` with a Google error body), ``drop_before`` (read the request, store
    nothing, close the connection), ``drop_after`` (do the work, then close without answering), ``unauthorized``
    (401 and expire the access token), ``quota``, ``upload_limit``, ``rate_limit``, ``slow`` (wait ``delay``
    seconds, then answer normally), ``video_not_found`` (404 ``videoNotFound``).
    """

    op: str
    kind: str
    nth: int = 1
    times: int = 1
    status: int = 503
    delay: float = 0.0
    seen: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (known: {', '.join(sorted(FAULT_KINDS))})")
        if self.nth < 1 or self.times < 1:
            raise ValueError("nth and times must be 1 or more")

    def matches(self, op: str) -> bool:
        return self.op in ("any", op)

    def hit(self) -> bool:
        self.seen += 1
        if self.seen >= self.nth and self.fired < self.times:
            self.fired += 1
            return True
        return False

    @classmethod
    def parse(cls, text: str) -> Fault:
        """``op:kind[:nth[:times[:status-or-delay]]]`` (the command-line form)."""
        parts = text.split(":")
        if len(parts) < 2:
            raise ValueError(f"fault {text!r} is not op:kind[:nth[:times[:value]]]")
        fault = cls(parts[0], parts[1], int(parts[2]) if len(parts) > 2 else 1, int(parts[3]) if len(parts) > 3 else 1)
        if len(parts) > 4:
            if fault.kind == "slow":
                fault.delay = float(parts[4])
            else:
                fault.status = int(parts[4])
        return fault
