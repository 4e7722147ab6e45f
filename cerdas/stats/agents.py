"""Who asked: a user agent classified as a bot, a non-player tool, or a listener's app, player or browser.

The first source that recognises a user agent decides, in this order:

1. the OPAWG user-agents-v2 lists the office imported (``cerdas stats agents import``): bots, then apps,
   browsers and libraries;
2. Cerdas's own dated rules (:mod:`cerdas.stats.agent_rules`);
3. the generic crawler patterns of the `crawler-user-agents` package (MIT), if installed;
4. otherwise an unknown agent, counted (IAB v2.2 removes known bots, it does not require a known app), except an
   empty one, which no player sends.

Classifications are cached per user agent: a log has thousands of lines for each distinct agent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Final

from cerdas.stats.agent_rules import RULES, RULES_DATE

try:  # an optional, maintained list of generic crawler patterns
    import crawleruseragents as _crawlers
except ImportError:  # pragma: no cover - it is a dependency, but the counting works without it
    _crawlers = None

COUNTED_KINDS: Final = frozenset({"app", "player", "browser", "unknown"})
UNKNOWN: Final = "unknown"
_CACHE_LIMIT = 100_000


@dataclass(frozen=True)
class Agent:
    """What a user agent is: ``kind`` (bot, tool, app, player, browser, unknown) and a name to show."""

    kind: str
    name: str
    source: str = "cerdas"

    @property
    def counted(self) -> bool:
        """Whether requests from it may count as downloads, page views and visitors."""
        return self.kind in COUNTED_KINDS


@dataclass(frozen=True)
class Rule:
    kind: str
    name: str
    pattern: re.Pattern[str]
    source: str


@dataclass(frozen=True)
class ListEntry:
    """One entry of an imported list: the name, its regular expression, and OPAWG's category if given."""

    name: str
    pattern: str
    category: str = ""


@dataclass(frozen=True)
class AgentList:
    """An imported OPAWG list (one kind: bots, apps, browsers, libraries...), with where and when it came from."""

    kind: str
    source: str
    imported: str
    dated: str
    entries: tuple[ListEntry, ...]


# OPAWG's file kinds → ours. OPAWG "libraries" are the media stacks apps play through (AppleCoreMedia, ExoPlayer,
# okhttp...): players; it files curl, python-requests and the like under bots, which are consulted first.
_LIST_KINDS: Final = {
    "bots": "bot",
    "apps": "app",
    "browsers": "browser",
    "libraries": "player",
    "devices": "",
    "referrers": "",
}
LIST_KINDS: Final = tuple(_LIST_KINDS)


def list_kind(kind: str) -> str:
    """Our kind for an OPAWG file kind ("" for lists that name no agent: devices, referrers)."""
    return _LIST_KINDS[kind]


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _imported_rules(lists: Iterable[AgentList], bots: bool) -> list[Rule]:
    rules = []
    for agent_list in sorted(lists, key=lambda a: LIST_KINDS.index(a.kind)):
        kind = list_kind(agent_list.kind)
        if not kind or (kind == "bot") != bots:
            continue
        for entry in agent_list.entries:
            # OPAWG's apps list includes some "bot" categorised entries (an app's server): honour the category
            entry_kind = "bot" if entry.category.lower() in ("bot", "bots") else kind
            rules.append(Rule(entry_kind, entry.name, _compile(entry.pattern), f"opawg:{agent_list.kind}"))
    return rules


class Classifier:
    """Classifies user agents with the imported lists, our rules and the crawler patterns (see the module)."""

    def __init__(self, lists: Sequence[AgentList] = (), use_crawler_list: bool = True) -> None:
        own = [Rule(kind, name, _compile(pattern), "cerdas") for kind, name, pattern in RULES]
        self._rules = [*_imported_rules(lists, bots=True), *_imported_rules(lists, bots=False), *own]
        self._crawlers = _crawlers.CRAWLER_PATTERNS.case_sensitive if use_crawler_list and _crawlers else None
        self._cache: dict[str, Agent] = {}
        self.lists = tuple(lists)

    @property
    def sources(self) -> list[str]:
        """What the classification rests on, for reports: each list with its date."""
        out = [f"OPAWG user-agents-v2 {a.kind} ({a.dated})" for a in self.lists]
        out.append(f"Cerdas rules ({RULES_DATE})")
        if self._crawlers is not None:
            out.append(f"crawler-user-agents {crawler_list_version()}")
        return out

    def classify(self, user_agent: str) -> Agent:
        """The agent for a user agent string (cached)."""
        agent = self._cache.get(user_agent)
        if agent is None:
            agent = self._classify(user_agent)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[user_agent] = agent
        return agent

    def _classify(self, user_agent: str) -> Agent:
        text = user_agent.strip()
        if not text or text == "-":
            return Agent("tool", "no user agent")
        for rule in self._rules:
            if rule.pattern.search(text):
                return Agent(rule.kind, rule.name, rule.source)
        if self._crawlers is not None and self._crawlers.search(text):
            return Agent("bot", "crawler", "crawler-user-agents")
        return Agent(UNKNOWN, UNKNOWN)


def crawler_list_version() -> str:
    """The installed crawler-user-agents version, or "" when it is not installed."""
    if _crawlers is None:
        return ""
    try:
        return version("crawler-user-agents")
    except PackageNotFoundError:  # pragma: no cover - metadata missing in an odd install
        return "?"
