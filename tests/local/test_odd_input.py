"""Odd input over HTTP, through the local gateway as an outside attacker sent it against
`make run`: each answer is a 4xx (in the API's one error shape when a function answers),
and the runtime keeps serving everyone else."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
import requests

from tests.local.test_runtime import FRONTDESK, bearer, sign_in

pytestmark = [pytest.mark.local_runtime, pytest.mark.xdist_group("local_runtime")]


def test_a_body_nested_100000_deep_is_a_400_naming_the_body(portal):
    deep = b"[" * 100_000 + b"]" * 100_000
    answer = requests.post(
        f"{portal.url}/api/auth/patient/login", data=deep, headers={"Content-Type": "application/json"}, timeout=10
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == "body"


def test_a_text_plain_body_is_a_415_in_the_one_error_shape(portal):
    answer = requests.post(
        f"{portal.url}/api/auth/patient/login",
        data=b'{"username": "ava.thompson", "password": "x"}',
        headers={"Content-Type": "text/plain"},
        timeout=10,
    )
    assert answer.status_code == 415
    assert answer.json()["error"]["code"] == "unsupported_media_type"
    assert answer.json()["error"]["field"] == "content-type"


def test_an_emoji_as_the_onboarding_search_is_a_422_naming_q(portal):
    staff = sign_in(portal, "staff", FRONTDESK.username, FRONTDESK.password)
    answer = requests.get(f"{portal.url}/api/staff/onboarding", params={"q": "😀"}, headers=bearer(staff), timeout=10)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "q"


@pytest.mark.parametrize("length", ["-1", "abc", "1_0", "١٢"])
def test_a_content_length_that_is_not_a_number_is_a_400_and_the_runtime_keeps_serving(portal, length):
    address = urlsplit(portal.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(
            f"POST /api/auth/patient/login HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n{{}}".encode()
        )
        status_line = connection.makefile("rb").readline()
    assert status_line.split()[1] == b"400"
    assert requests.get(f"{portal.url}/api/public/practice", timeout=10).status_code == 200
