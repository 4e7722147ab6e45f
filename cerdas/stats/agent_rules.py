"""Cerdas's own user-agent rules: the podcast apps, players, browsers, tools and bots a show's host sees.

Written for Cerdas from the apps' documented and commonly logged user agents (not copied from any list). They are
the fallback: a list the office imports from OPAWG's user-agents-v2 (``cerdas stats agents import``) is consulted
first, and `crawler-user-agents` (PyPI, MIT) adds generic crawler patterns after these rules.

Kinds:

- ``bot``: crawlers, indexers, feed fetchers, monitors, link previews. Never counted.
- ``tool``: HTTP tools that are not players (curl, wget, scripting libraries). Never counted (IAB v2.2 counts
  requests from players only).
- ``app``: a podcast app, named as listeners know it. Counted.
- ``player``: a media stack apps play through (AppleCoreMedia, ExoPlayer, okhttp, stagefright). Counted, named by
  platform, because the app itself does not say who it is.
- ``browser``: a web browser (the site's own player, a link opened in a browser). Counted.

Order matters: the first rule that matches decides. Bots first (``Overcast/1.0 Podcast Sync`` is Overcast's
server, ``Overcast/3.0 (...iOS podcast app)`` its app), then apps, then players and browsers, then tools.
"""

from __future__ import annotations

from typing import Final

RULES_DATE: Final = "2026-11-30"
"""When these rules were last reviewed."""

# (kind, name, regular expression searched in the user agent, case-sensitive unless it starts with (?i))
RULES: Final[tuple[tuple[str, str, str], ...]] = (
    # -- bots: servers of podcast apps and directories fetching feeds and files for themselves -----------------
    ("bot", "Overcast (server)", r"Overcast/1\.0 Podcast Sync"),
    ("bot", "Pocket Casts (server)", r"Pocket ?Casts Feed Parser|PocketCasts/1\.0"),
    ("bot", "Apple Podcasts (server)", r"^iTMS|Apple Podcasts Feed Fetcher|Podcasts/.*\(Feed Fetcher"),
    ("bot", "Spotify (server)", r"^Spotify/1\.0$|Spotify-Ingest|SpotifyBot"),
    ("bot", "Google Podcasts (server)", r"Google-Podcast|GoogleProducer|Google-Read-Aloud"),
    ("bot", "YouTube (feed ingestion)", r"YouTube-Podcast-Ingestion|Google-YouTube-RSS"),
    ("bot", "Podcast Index", r"(?i)podcastindex|PodcastIndexBot"),
    ("bot", "Castbox (server)", r"CastboxBot|Castbox/.*Crawler"),
    ("bot", "Podcast Addict (server)", r"PodcastAddict/v\d+ \(\+https?://podcastaddict\.com"),
    ("bot", "Podbean (server)", r"Podbean/FeedUpdate|Podbean.*Crawler"),
    ("bot", "Podchaser", r"(?i)podchaser"),
    ("bot", "Listen Notes", r"(?i)listennotes|ListenNotesBot"),
    ("bot", "Player FM (server)", r"Player FM Feed|PlayerFM/1\.0 Podcast Sync|Player\.FM"),
    ("bot", "Podnews", r"(?i)podnews"),
    ("bot", "Amazon Music (server)", r"Amazon Music Podcast|AmazonMusic.*Crawler"),
    ("bot", "Deezer (server)", r"Deezer Podcasters|DeezerBot"),
    ("bot", "iHeartRadio (server)", r"iHeartRadio.*(Crawler|Feed)|iheart-podcast"),
    ("bot", "Audible (server)", r"Audible.*Crawler"),
    # -- bots: search engines, SEO, AI crawlers, previews, monitors, archivers --------------------------------
    (
        "bot",
        "search engine",
        r"(?i)googlebot|google-inspectiontool|googleother|apis-google|mediapartners-google|adsbot-google|"
        r"storebot-google|bingbot|bingpreview|msnbot|adidxbot|yandex(bot|images|metrika)|baiduspider|duckduckbot|"
        r"duckassistbot|slurp|sogou|exabot|seznambot|petalbot|applebot|qwant(ify|bot)|naver|yeti/|coccocbot|mojeekbot",
    ),
    (
        "bot",
        "SEO crawler",
        r"(?i)ahrefsbot|semrushbot|mj12bot|dotbot|rogerbot|screaming frog|serpstatbot|blexbot|dataforseobot|"
        r"megaindex|seokicks|linkdexbot|barkrowler|siteauditbot|sitebulb|oncrawl|netcraft",
    ),
    (
        "bot",
        "AI crawler",
        r"(?i)gptbot|chatgpt-user|oai-searchbot|claudebot|claude-web|anthropic-ai|perplexitybot|ccbot|"
        r"bytespider|amazonbot|meta-externalagent|cohere-ai|diffbot|imagesiftbot|timpibot",
    ),
    (
        "bot",
        "link preview",
        r"(?i)facebookexternalhit|facebookcatalog|twitterbot|linkedinbot|slackbot|slack-imgproxy|discordbot|"
        r"telegrambot|whatsapp|skypeuripreview|pinterestbot|redditbot|embedly|iframely|mastodon|snapchat",
    ),
    (
        "bot",
        "uptime monitor",
        r"(?i)uptimerobot|pingdom|statuscake|site24x7|freshping|uptime-kuma|betteruptime|better stack|"
        r"hetrixtools|newrelicpinger|datadog|checkly|monitis|nodeping|updown\.io|uptimia",
    ),
    ("bot", "archiver", r"(?i)ia_archiver|archive\.org_bot|heritrix|wayback"),
    ("bot", "feed reader", r"(?i)feedly|inoreader|newsblur|feedbin|tiny tiny rss|feedfetcher|superfeedr|rssbot"),
    ("bot", "security scanner", r"(?i)zgrab|masscan|nmap|nikto|sqlmap|censys|expanse|internet-measurement|nuclei"),
    ("bot", "headless browser", r"(?i)headlesschrome|phantomjs|puppeteer|playwright|selenium|lighthouse"),
    # "bot" alone must stand as a word (the CUBOT phone is no bot); crawler, spider, scraper may end a name
    ("bot", "generic bot", r"(?i)(^|[^a-z])bot([^a-z]|$)|(crawler|spider|scraper)\b|\+https?://\S+bot"),
    # -- podcast apps -----------------------------------------------------------------------------------------
    ("app", "Apple Podcasts", r"^Podcasts/|^Balado/|AirPodcasts/|iTunes/.*Podcasts|watchOS/.*Podcasts"),
    ("app", "Spotify", r"^Spotify/[2-9]|^Spotify/\d{2}|Spotify \(|SpotifyAndroid"),
    ("app", "Pocket Casts", r"^PocketCasts/|Pocket Casts"),
    ("app", "Overcast", r"^Overcast/"),
    ("app", "Castbox", r"(?i)castbox"),
    ("app", "Podcast Addict", r"(?i)podcastaddict|podcast addict"),
    ("app", "Google Podcasts", r"GSA/.*Podcast|Google-Podcast-App|GooglePodcasts"),
    ("app", "YouTube Music", r"(?i)com\.google\.android\.apps\.youtube\.music|youtubemusic|YouTube Music"),
    ("app", "Castro", r"^Castro"),
    ("app", "AntennaPod", r"(?i)antennapod"),
    ("app", "Podcast Republic", r"(?i)podcastrepublic|podcast republic"),
    ("app", "Player FM", r"(?i)player ?fm"),
    ("app", "Podbean", r"(?i)podbean"),
    ("app", "Podverse", r"(?i)podverse"),
    ("app", "Fountain", r"(?i)fountain"),
    ("app", "Podcast Guru", r"(?i)podcastguru|podcast guru"),
    ("app", "Stitcher", r"(?i)stitcher"),
    ("app", "Amazon Music", r"(?i)amazonmusic|amazon music|AmazonMusic"),
    ("app", "Deezer", r"(?i)deezer"),
    ("app", "iHeartRadio", r"(?i)iheartradio"),
    ("app", "Audible", r"(?i)audible"),
    ("app", "Noice", r"(?i)noice"),
    ("app", "VLC", r"(?i)^vlc/|LibVLC"),
    ("app", "Kodi", r"(?i)kodi/"),
    ("app", "Sonos", r"(?i)sonos"),
    ("app", "Alexa", r"(?i)alexa|echo/|AlexaMediaPlayer"),
    ("app", "Google Assistant / Nest", r"(?i)google-speakr|CrKey|Google-Home|Nest"),
    ("app", "Gpodder", r"(?i)gpodder"),
    ("app", "Podcini", r"(?i)podcini"),
    ("app", "Snipd", r"(?i)snipd"),
    # -- players: the platform's media stack, used by apps that do not name themselves -------------------------
    ("player", "Apple (AppleCoreMedia)", r"AppleCoreMedia/|CFNetwork/.*Darwin|^atc/|iOS/\d+.*model/"),
    ("player", "Android (ExoPlayer)", r"(?i)exoplayer|Media3"),
    ("player", "Android (stagefright)", r"(?i)stagefright"),
    ("player", "Android (okhttp)", r"^okhttp/"),
    ("player", "Android (Dalvik)", r"^Dalvik/"),
    ("player", "Windows Media", r"(?i)NSPlayer|Windows-Media-Player|WMFSDK"),
    ("player", "FFmpeg (Lavf)", r"^Lavf/"),
    ("player", "GStreamer", r"(?i)gstreamer"),
    # -- browsers ---------------------------------------------------------------------------------------------
    ("browser", "Edge", r"Edg/|Edge/"),
    ("browser", "Opera", r"OPR/|Opera"),
    ("browser", "Samsung Internet", r"SamsungBrowser/"),
    ("browser", "Firefox", r"Firefox/|FxiOS/"),
    ("browser", "Chrome", r"Chrome/|CriOS/"),
    ("browser", "Safari", r"Version/[\d.]+ .*Safari/|Mobile/\w+ Safari"),
    ("browser", "other browser", r"^Mozilla/5\.0 \("),
    # -- tools: HTTP clients that are not players --------------------------------------------------------------
    (
        "tool",
        "HTTP tool",
        r"(?i)^curl/|^wget/|python-requests|python-urllib|python-httpx|aiohttp|^httpie/|^go-http-client|"
        r"^java/|apache-httpclient|^axios/|node-fetch|^undici|^got |^ruby|^php/|guzzlehttp|^libwww-perl|"
        r"^lwp-|^postmanruntime|insomnia|^powershell|winhttp|^dart:io|^reqwest|^rust-|^okhttp-ws|"
        r"^httpclient|^scrapy|^mechanize|^jakarta|^feedparser|^podcastparser|^aria2|^yt-dlp|^youtube-dl",
    ),
)
