"""The ``cerdas`` command line: thin Click commands over the library.

:mod:`cerdas.cli.core` holds the group, the one error boundary and the terminal reporter; each area's commands
live in a module of their own (:mod:`~cerdas.cli.workspace`, :mod:`~cerdas.cli.youtube`, ...), and
:mod:`cerdas.cli.main` gathers them into the ``cerdas`` program.
"""

from __future__ import annotations
