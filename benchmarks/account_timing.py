"""What an outsider can time on the public account routes, against the local runtime: a wrong
password for a real username against an unknown username, and a registration with a new
address against one copying a real patient's details. Each pair should take the same time
(docs/security.md asks for the medians within 1.5x); the first of each pair is the
baseline, measured in the same run, alternating so both see the same machine."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import requests

from local import demo_data
from tests.local.conftest import start_portal

SIGN_INS = 15
# Registration allows 20 attempts per address an hour; both kinds share them.
REGISTRATIONS = 9
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")


def seconds(call: Callable[[], requests.Response], expected: int) -> float:
    started = time.perf_counter()
    answer = call()
    elapsed = time.perf_counter() - started
    if answer.status_code != expected:
        raise RuntimeError(f"expected {expected}, got {answer.status_code}: {answer.text}")
    return elapsed


def paired(first: Callable[[int], float], second: Callable[[int], float], runs: int) -> tuple[float, float]:
    a, b = [], []
    for number in range(runs):
        a.append(first(number))
        b.append(second(number))
    return statistics.median(a), statistics.median(b)


def main() -> None:
    portal = start_portal()
    try:
        url = portal.url

        def login(username: str) -> Callable[[int], float]:
            body = {"username": username, "password": "certainly not the password 7"}
            return lambda _: seconds(lambda: requests.post(f"{url}/api/auth/patient/login", json=body, timeout=10), 401)

        known, unknown = paired(login(AVA.username), login("nobody.at.this.practice"), SIGN_INS)
        print(
            f"sign-in, wrong password {known * 1000:.1f} ms, unknown username {unknown * 1000:.1f} ms "
            f"(ratio {unknown / known:.2f}, median of {SIGN_INS})"
        )

        def register(details: dict[str, str], tag: str) -> Callable[[int], float]:
            def once(number: int) -> float:
                body = {**details, "email": details["email"] or f"bench.{tag}{number}@example.com"}
                return seconds(lambda: requests.post(f"{url}/api/auth/register", json=body, timeout=10), 202)

            return once

        newcomer = {
            "first_name": "Bench",
            "last_name": "Newcomer",
            "date_of_birth": "1990-01-01",
            "zip": "02139",
            "email": "",
        }
        copy = {
            "first_name": "Ava",
            "last_name": "Thompson",
            "date_of_birth": "1984-03-12",
            "zip": "02139",
            "email": "ava.thompson@example.com",
        }
        fresh, copied = paired(register(newcomer, "new"), register(copy, "copy"), REGISTRATIONS)
        print(
            f"registration, new address {fresh * 1000:.1f} ms, a patient's copy {copied * 1000:.1f} ms "
            f"(ratio {copied / fresh:.2f}, median of {REGISTRATIONS})"
        )
    finally:
        portal.stop()


if __name__ == "__main__":
    main()
