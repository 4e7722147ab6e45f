"""``python -m cerdas.devtools.emulator``."""

from __future__ import annotations

from cerdas.devtools.emulator.server import main

raise SystemExit(main())
