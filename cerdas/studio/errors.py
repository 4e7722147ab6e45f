"""Errors of the studio's own (the library's errors keep their meaning; see :func:`cerdas.studio.app.status_for`)."""

from __future__ import annotations

from cerdas.errors import CerdasError


class MissingError(CerdasError):
    """No such episode, job or file: answered 404."""
