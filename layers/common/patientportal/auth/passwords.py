"""The password policy (docs/security.md "Identity", 1.12), in one place; the pools' policies agree with it."""

from __future__ import annotations

from patientportal.errors import ValidationFailedError

MINIMUM_LENGTH = 12
MAXIMUM_LENGTH = 128
# zxcvbn scores 0-4; 3 is "safely unguessable" against offline attacks with slow hashing.
MINIMUM_SCORE = 3


def strength(password: str, personal: tuple[str, ...]) -> int:
    # zxcvbn loads large word lists: import it only when a password is actually checked.
    from zxcvbn import zxcvbn  # noqa: PLC0415

    score: int = zxcvbn(password, user_inputs=list(personal), max_length=MAXIMUM_LENGTH)["score"]
    return score


def problems(password: str, *, personal: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with a password, in words a patient understands; empty when it is fine."""
    found: list[str] = []
    if len(password) < MINIMUM_LENGTH:
        found.append(f"Use at least {MINIMUM_LENGTH} characters.")
    if len(password) > MAXIMUM_LENGTH:
        found.append(f"Use at most {MAXIMUM_LENGTH} characters.")
    lowered = password.casefold()
    if any(part and len(part) >= 3 and part.casefold() in lowered for part in personal):
        found.append("Do not use your name, username or email address in your password.")
    if not found and strength(password, personal) < MINIMUM_SCORE:
        found.append("This password is too easy to guess. Try a few unrelated words together.")
    return found


def check(password: str, *, username: str = "", email: str = "", name: str = "", field: str = "password") -> None:
    """Raises the policy's complaints, named after the request's own ``field``."""
    personal = tuple(part for part in (username, email, email.split("@", maxsplit=1)[0], *name.split()) if part)
    found = problems(password, personal=personal)
    if found:
        raise ValidationFailedError(" ".join(found), field=field)


RULES_TEXT = (
    f"At least {MINIMUM_LENGTH} characters (up to {MAXIMUM_LENGTH}); long passphrases are welcome. "
    "It must not be easy to guess or contain your name, username or email address."
)
