"""Cerdas Studio: the producer's web app over the library (``cerdas studio``).

Rooms: ``app`` (the factory and the error boundary), ``security`` (host check, sign-in, CSRF, headers), ``auth``
(password hash, tokens, sessions), ``state`` (what the routes share), ``jobs`` + ``runner`` + ``work`` (background
jobs through the publish stages), ``uploads`` (streamed multipart), ``views`` + ``schemas`` (what is shown and
sent), ``routes_*`` (one module per resource), ``templating`` + ``i18n``, ``templates/`` and ``static/``.
"""
