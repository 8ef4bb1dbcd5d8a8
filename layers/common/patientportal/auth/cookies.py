"""The refresh-token cookie: HttpOnly, Secure, SameSite=Strict and scoped to /api/auth, so
page scripts never see it and no other route receives it (ARCHITECTURE §5)."""

from __future__ import annotations

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

PATH = "/api/auth"
NAMES = {"patient": "portal_refresh", "staff": "staff_refresh"}


def read(cookies: list[str] | None, name: str) -> str | None:
    """A cookie's value from HTTP API's ``cookies`` list (``name=value`` strings)."""
    for cookie in cookies or []:
        key, _, value = cookie.partition("=")
        if key.strip() == name and value:
            return value.strip()
    return None


def refresh_cookie(account: str, token: str, max_age_seconds: int) -> Cookie:
    return Cookie(
        name=NAMES[account],
        value=token,
        path=PATH,
        secure=True,
        http_only=True,
        same_site=SameSite.STRICT_MODE,
        max_age=max_age_seconds,
    )


def cleared(account: str) -> Cookie:
    return Cookie(
        name=NAMES[account], value="", path=PATH, secure=True, http_only=True, same_site=SameSite.STRICT_MODE, max_age=0
    )
