"""The published ``feed/`` folder: RSS with Podcasting 2.0, Apple's rules, the static site, its search page, the
``feed`` stage that rebuilds it atomically, and ``cerdas serve``."""

from __future__ import annotations
