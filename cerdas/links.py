"""The one rule for links: which addresses may become a link on a page, in the feed or in a tag.

Used by show notes (:mod:`cerdas.notes`), chapters, persons, the settings' addresses and ``base_url``: what it
refuses never reaches an ``href``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_EMAIL = re.compile(r"^[^@\s<>\"'()\\,;:]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.[A-Za-z]{2,63}$")
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f<>\"'`\\]")


def link_problem(url: str, mailto: bool = True) -> str | None:
    """The one rule for every link that reaches a page or the feed (chapters, show notes, persons, settings):
    an absolute ``http``/``https`` address with a host and a valid port and no ``user:password@``, or, where
    ``mailto`` is allowed, ``mailto:`` an e-mail address. None when ``url`` follows it, else why not.

    Everything else (``javascript:``, ``data:``, ``file:``, relative paths, spaces or control characters) never
    becomes a link."""
    if not url or _UNSAFE.search(url):
        return "is empty or holds spaces, quotes or control characters"
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "mailto" and mailto:
        address = url[len("mailto:") :].split("?", 1)[0]
        return None if _EMAIL.match(address) else "is a mailto: link without an e-mail address"
    if scheme not in ("http", "https"):
        allowed = "http(s) or mailto:" if mailto else "http(s)"
        return f"must be an {allowed} address, not {scheme + ':' if scheme else 'a relative one'}"
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0 and parts.netloc.rsplit("]", 1)[-1].count(":"):
        return "has a port that is not a number from 1 to 65535"
    if not parts.hostname:
        return "has no host"
    if parts.username is not None or parts.password is not None:
        return "must not carry a user name or password"
    return None


def safe_link(url: str, mailto: bool = True) -> bool:
    """Whether ``url`` may become a link (:func:`link_problem` finds nothing)."""
    return link_problem(url, mailto) is None
