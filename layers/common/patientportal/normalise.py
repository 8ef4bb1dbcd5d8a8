"""How identity details are compared: one rule each, used everywhere they are compared."""

from __future__ import annotations

import unicodedata


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


def zip_code(value: str) -> str:
    """ZIP+4 and spaces do not matter: "02139-4307" == "02139"."""
    return "".join(char for char in value if char.isdigit())[:5]
