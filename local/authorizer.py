"""API Gateway's JWT authorizer, played locally: the same checks against the emulator's JWKS.

It checks the signature, ``exp``/``nbf``/``iat``, the issuer, and that ``aud`` or
``client_id`` is one of the audiences the template names, as HTTP APIs do.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

import jwt


class UnauthorizedError(Exception):
    pass


class JwtAuthorizer:
    def __init__(self, issuer: str, audience: list[str], jwks_url: str) -> None:
        if urllib.parse.urlsplit(jwks_url).scheme not in {"http", "https"}:
            raise ValueError(f"the JWKS is read over HTTP(S) only, not {jwks_url!r}")
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self._keys: dict[str, Any] = {}

    def _key(self, key_id: str) -> Any:
        if key_id not in self._keys:
            # The emulator on loopback; __init__ allows http(s) only, so no file: or custom scheme.
            with urllib.request.urlopen(self.jwks_url, timeout=5) as answer:  # noqa: S310  # nosec B310 # http(s) only, checked in __init__
                document = json.load(answer)
            self._keys = {key["kid"]: jwt.PyJWK(key).key for key in document["keys"]}
        if key_id not in self._keys:
            raise UnauthorizedError("unknown signing key")
        return self._keys[key_id]

    def claims(self, headers: Mapping[str, str]) -> dict[str, Any]:
        authorization = headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ").strip()
        if not token:
            raise UnauthorizedError("no token")
        try:
            key_id = jwt.get_unverified_header(token).get("kid", "")
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key(key_id),
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"verify_aud": False, "require": ["exp", "iat", "iss"]},
            )
        except jwt.PyJWTError as error:
            raise UnauthorizedError(str(error)) from error
        if claims.get("aud") not in self.audience and claims.get("client_id") not in self.audience:
            raise UnauthorizedError("wrong audience")
        return claims
