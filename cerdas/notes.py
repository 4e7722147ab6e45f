"""Show notes: the producer's description (plain text or simple HTML) as safe HTML for the feed and the pages,
and as text for ID3 tags, YouTube and search; one rule for each, used everywhere.

Plain text becomes paragraphs with links; HTML keeps a small set of tags (the ones Apple Podcasts and Spotify
render) and escapes everything else, so ``<script>`` shows as text and never runs. Every text form is made from
that safe HTML (:func:`notes_text`, :func:`html_to_text`), so what the site shows, YouTube shows too.
"""

from __future__ import annotations

import re
from html import escape, unescape
from html.parser import HTMLParser

import nh3

from cerdas.links import safe_link

ALLOWED_TAGS = frozenset({"p", "br", "a", "strong", "em", "b", "i", "u", "ul", "ol", "li", "blockquote", "code"})
_HTML_HINT = re.compile(r"<\s*/?\s*(?:" + "|".join(sorted(ALLOWED_TAGS)) + r")\b[^>]*>", re.IGNORECASE)
_URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_BLOCK = re.compile(r"<(?:p|ul|ol|blockquote)>")
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>?")
"""Any tag at all (where only plain text is allowed: the show's title, author, hosts)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def strip_control(text: str) -> str:
    """``text`` without control characters (C0 and C1 but tab and line breaks; U+FFFE, U+FFFF): what XML 1.0
    cannot carry and what a terminal would obey. The one rule for every text that reaches an output."""
    return _CONTROL.sub("", text)


def _link(match: re.Match[str]) -> str:
    url = match.group(0)
    tail = ""
    while url and url[-1] in ".,;:!?)":
        url, tail = url[:-1], url[-1] + tail
    return f'<a href="{escape(url)}">{escape(url)}</a>{escape(tail)}'


def _text_with_links(text: str) -> str:
    out, pos = [], 0
    for match in _URL.finditer(text):
        out.append(escape(text[pos : match.start()], quote=False))
        out.append(_link(match))
        pos = match.end()
    out.append(escape(text[pos:], quote=False))
    return "".join(out)


def plain_to_html(text: str) -> str:
    """Paragraphs at blank lines, ``<br>`` at single line breaks, bare URLs as links; everything escaped."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", strip_control(text).replace("\r\n", "\n")) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(_text_with_links(line.strip()) for line in p.split("\n")) + "</p>" for p in paragraphs
    )


_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9:-]*)\b[^<>]*>")
_EMPTY_LINK = re.compile(r"<a>(.*?)</a>", re.DOTALL)


def _escape_other_tags(html: str) -> str:
    """Every tag but :data:`ALLOWED_TAGS` as visible text (``<script>`` reads as ``<script>``, never runs)."""
    return _TAG.sub(lambda m: m.group(0) if m.group(1).lower() in ALLOWED_TAGS else escape(m.group(0)), html)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if safe_link(value.strip()) else None
    return None


def sanitise_html(html: str) -> str:
    """Keep :data:`ALLOWED_TAGS` (links only by :func:`cerdas.urls.safe_link`'s rule), show every other tag as
    text, drop comments, attributes and links that go nowhere safe. The sanitising itself is ammonia's (``nh3``):
    this only says which tags are text."""
    clean = nh3.clean(
        _escape_other_tags(strip_control(html)),
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href"}},
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    return _EMPTY_LINK.sub(r"\1", clean)  # a link whose address was refused keeps its text


def looks_like_html(text: str) -> bool:
    """Whether the description uses any of the allowed tags (else it is taken as plain text)."""
    return bool(_HTML_HINT.search(text))


def link_bare_urls(html: str) -> str:
    """Our safe HTML with every bare address outside a link made a link (as plain-text notes get them)."""
    out: list[str] = []
    in_link = 0
    for piece in re.split(r"(<[^>]*>)", html):
        if piece.startswith("<"):
            in_link += 1 if re.match(r"<a[\s>]", piece) else -1 if piece == "</a>" else 0
            out.append(piece)
        elif in_link or not _URL.search(piece):
            out.append(piece)
        else:
            out.append(_text_with_links(unescape(piece)))
    return "".join(out)


def notes_html(description: str) -> str:
    """The show notes as safe HTML, whichever way the producer wrote them (bare addresses linked either way)."""
    if not description.strip():
        return ""
    if not looks_like_html(description):
        return plain_to_html(description)
    html = link_bare_urls(sanitise_html(description).strip())
    return html if _BLOCK.search(html) else f"<p>{html}</p>"


class _Text(HTMLParser):
    """Our sanitised HTML as plain text: paragraphs as blank lines, breaks as new lines, list items as bullets,
    a link as ``text (url)`` unless its text is the address itself."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.href = ""
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("\n")
        elif tag in _BLOCKS:
            self.out.append("\n\n")
        elif tag == "li":
            self.out.append("\n• ")
        elif tag == "a":
            self.href, self.link_text = dict(attrs).get("href") or "", []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href:
            if "".join(self.link_text).strip() != self.href:
                self.out.append(f" ({self.href})")
            self.href = ""
        elif tag in _BLOCKS:
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.out.append(data)
        if self.href:
            self.link_text.append(data)


_BLOCKS = ("p", "ul", "ol", "blockquote")


def html_to_text(html: str, lines: bool = False) -> str:
    """The text of our own, sanitised HTML: on one line, or with ``lines`` as paragraphs, lines and bullets."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    if not lines:
        return " ".join(text.replace("• ", " ").split())
    kept = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def notes_text(description: str) -> str:
    """The show notes as plain text on several lines (ID3 comments, YouTube descriptions): the same rule as the
    site, so a link, a list or a paragraph reads the same everywhere."""
    return html_to_text(notes_html(description), lines=True)


ELLIPSIS = "…"


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in an ellipsis; cut at a word when one is near."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " ":
        space = cut.rfind(" ")
        if space >= limit * 0.6:
            cut = cut[:space]
    return cut.rstrip(" ,.;:-–—") + ELLIPSIS


def truncate_bytes(text: str, limit: int) -> str:
    """At most ``limit`` UTF-8 bytes, ending in an ellipsis; cut at a word or line when one is near."""
    if len(text.encode("utf-8")) <= limit:
        return text
    budget = limit - len(ELLIPSIS.encode("utf-8"))
    cut = text.encode("utf-8")[:budget].decode("utf-8", "ignore")
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= len(cut) * 0.8:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-–—\n") + ELLIPSIS


def summary(html: str, limit: int = 200) -> str:
    """A one-line excerpt of our HTML, at most ``limit`` characters (page descriptions, episode lists)."""
    return truncate(html_to_text(html), limit)
