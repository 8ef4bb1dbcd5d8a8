"""Requests that meet: the local runtime runs a function's concurrent invocations in
separate containers (local.functions.FunctionPool), as Lambda does, so two requests at the
same moment race as they would on AWS and only the table's conditional writes decide."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from tests.local.conftest import RunningPortal
from tests.local.test_accounts_help import PASSWORD, link_token, mail_for, seen, staff_headers

pytestmark = [pytest.mark.local_runtime, pytest.mark.xdist_group("local_runtime")]


def at_once(calls: list[Any]) -> list[requests.Response]:
    """Each call in its own thread, released together."""
    start = threading.Barrier(len(calls))
    answers: list[requests.Response | None] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        answers[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(answer is not None for answer in answers)
    return [answer for answer in answers if answer is not None]


def test_a_one_time_link_used_twice_at_the_same_moment_works_once(portal: RunningPortal):
    staff = staff_headers(portal)
    details = {
        "email": "quentin.marlowe@example.com",
        "last_name": "Marlowe",
        "date_of_birth": "1981-11-02",
        "zip": "02143",
    }
    added = requests.post(
        f"{portal.url}/api/staff/patients",
        json={"first_name": "Quentin", **details, "activate_without_confirmation": True},
        headers=staff,
        timeout=10,
    )
    assert added.status_code == 201, added.text
    before = seen(portal)
    assert requests.post(f"{portal.url}/api/auth/claim", json=details, timeout=10).status_code == 202
    token = link_token(mail_for(portal, "quentin.marlowe@example.com", "Set up or reset", after=before))

    def inspect() -> requests.Response:
        return requests.post(f"{portal.url}/api/auth/link/inspect", json={"token": token}, timeout=30)

    # Two auth containers warm first, so the two uses below run side by side, not one
    # behind another's cold start
    assert [answer.status_code for answer in at_once([inspect, inspect])] == [200, 200]
    assert any(line.startswith("INIT_START AuthFunction container") for line in portal.output)

    def use(username: str) -> Any:
        body = {"token": token, "password": PASSWORD, "username": username}
        return lambda: requests.post(f"{portal.url}/api/auth/link/complete", json=body, timeout=30)

    answers = at_once([use("qmarlowe"), use("q.marlowe")])
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 410], [answer.text for answer in answers]
    (refused,) = [answer for answer in answers if answer.status_code == 410]
    assert refused.json()["error"]["field"] == "token"
    # Exactly one account came of it: the winner's username signs in, the loser's does not
    (winner,) = [answer for answer in answers if answer.status_code == 200]
    won = "qmarlowe" if answers[0] is winner else "q.marlowe"
    lost = "q.marlowe" if won == "qmarlowe" else "qmarlowe"
    for username, status in ((won, 200), (lost, 401)):
        answer = requests.post(
            f"{portal.url}/api/auth/patient/login", json={"username": username, "password": PASSWORD}, timeout=10
        )
        assert answer.status_code == status, answer.text
