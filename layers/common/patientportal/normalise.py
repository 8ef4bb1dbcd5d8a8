"""How identity details are compared: one rule each, used everywhere they are compared."""

from __future__ import annotations

import re
import unicodedata
from datetime import date


def email(value: str) -> str:
    return value.strip().casefold()


def name(value: str) -> str:
    """Case, accents, spaces, hyphens and apostrophes do not matter: "Ndiaye-Núñez" == "ndiaye nunez"."""
    decomposed = unicodedata.normalize("NFKD", value)
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in letters.casefold() if char.isalnum())


def can_match_a_name(typed: str) -> bool:
    """Whether a typed name prefix keeps anything once folded: "😀", "-" or a null byte fold
    to nothing, and an empty key value is one DynamoDB refuses."""
    return bool(name(typed))


def search_text(value: str) -> str:
    """For substring search: case and accents do not matter, runs of spaces count as one."""
    decomposed = unicodedata.normalize("NFKD", value)
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(letters.casefold().split())


# Typed dates: "1984-03-12" (ISO), or month first as on US forms, "03/12/1984", "3/12/1984",
# "03-12-1984". Anything of digits and separators in that shape "looks like a date", so a
# two-digit year or a 13th month is told to the typist rather than searched as a name.
_LOOKS_LIKE_A_DATE = re.compile(r"[0-9]{1,4}[/-][0-9]{1,2}[/-][0-9]{1,4}")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_US_DATE = re.compile(r"([0-9]{1,2})[/-]([0-9]{1,2})[/-]([0-9]{4})")


def looks_like_a_date(typed: str) -> bool:
    return _LOOKS_LIKE_A_DATE.fullmatch(typed.strip()) is not None


def birth_date(typed: str) -> str | None:
    """A date in the forms staff type, as ISO ``yyyy-mm-dd``; None if it is not one (a
    two-digit year, month 13, 30 February)."""
    text = typed.strip()
    iso, us = _ISO_DATE.fullmatch(text), _US_DATE.fullmatch(text)
    if iso:
        year, month, day = iso.groups()
    elif us:
        month, day, year = us.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def zip_code(value: str) -> str:
    """ZIP+4 and spaces do not matter: "02139-4307" == "02139"."""
    return "".join(char for char in value if char.isdigit())[:5]
