"""The OAuth consent redirect and token endpoint (code exchange with PKCE, refresh)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode

from cerdas.devtools.emulator.handlers import OAuthError, _Base
from cerdas.devtools.emulator.state import CLIENT_ID, CLIENT_SECRET, ApiError


class OAuthRoutes(_Base):
    # -- OAuth -----------------------------------------------------------------------------------------------
    def _h_auth(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        q = {k: v[0] for k, v in query.items()}
        redirect = q.get("redirect_uri", "")
        if q.get("client_id") != CLIENT_ID or not redirect.startswith(("http://127.0.0.1", "http://localhost")):
            raise ApiError(400, "invalid_request", "Bad client or redirect URI.")
        params: dict[str, str] = {"state": q.get("state", "")}
        if self.state.consent_error:
            params["error"] = self.state.consent_error
        else:
            code = "4/emu-" + secrets.token_urlsafe(16)
            with self.state.lock:
                self.state.codes[code] = {
                    "challenge": q.get("code_challenge", ""),
                    "redirect_uri": redirect,
                    "scope": q.get("scope", ""),
                }
            params.update(code=code, scope=q.get("scope", ""))
        return 302, None, {"Location": f"{redirect}?{urlencode(params)}"}

    def _h_token(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):  # client_secret_basic, as requests-oauthlib sends it
            user, _, password = base64.b64decode(basic[6:]).decode("utf-8").partition(":")
            form.setdefault("client_id", unquote(user))
            form.setdefault("client_secret", unquote(password))
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            raise OAuthError("invalid_client", "The OAuth client was not found.")
        grant = form.get("grant_type")
        state = self.state
        if grant == "refresh_token":
            with state.lock:
                scopes = state.refresh_tokens.get(form.get("refresh_token", ""))
            if scopes is None:
                raise OAuthError("invalid_grant", "Token has been expired or revoked.")
            access = state.new_access_token(scopes)
            return (
                200,
                {"access_token": access, "expires_in": 3599, "scope": " ".join(scopes), "token_type": "Bearer"},
                {},
            )
        if grant == "authorization_code":
            with state.lock:
                entry = state.codes.pop(form.get("code", ""), None)
            if entry is None or entry["redirect_uri"] != form.get("redirect_uri"):
                raise OAuthError("invalid_grant", "Malformed auth code.")
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if entry["challenge"] and digest != entry["challenge"]:
                raise OAuthError("invalid_grant", "Invalid code verifier.")
            scopes = tuple(entry["scope"].split())
            return (
                200,
                {
                    "access_token": state.new_access_token(scopes),
                    "refresh_token": state.new_refresh_token(scopes),
                    "expires_in": 3599,
                    "scope": " ".join(scopes),
                    "token_type": "Bearer",
                },
                {},
            )
        raise OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant}")
