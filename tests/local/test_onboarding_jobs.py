"""Background jobs through the whole local stack (`python -m local`): the stream poller hands
a bulk invitation job's chunks to the jobs worker as Lambda's event source mapping would,
the job reaches "finished", and the emails land in the development mailbox; an admin's
import of a CSV runs the same way. The patients here are added by the test itself, so the
shared runtime's demo patients are left alone."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from local import demo_data
from tests import staff_mfa
from tests.local.conftest import RunningPortal

pytestmark = [pytest.mark.local_runtime, pytest.mark.xdist_group("local_runtime")]

FRONTDESK, ADMIN = demo_data.STAFF_LOGINS


def bearer(portal: RunningPortal, login: demo_data.Login) -> dict[str, str]:
    answer = staff_mfa.sign_in_over_http(portal.url, login.username, login.password)  # with the app's code
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def finished_job(portal: RunningPortal, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        progress = requests.get(f"{portal.url}/api/staff/jobs/{job_id}", headers=headers, timeout=10).json()
        if progress["state"] == "finished" or time.monotonic() > deadline:
            return dict(progress)
        time.sleep(0.2)


def test_a_bulk_invitation_job_finishes_and_its_emails_reach_the_mailbox(portal):
    headers = bearer(portal, FRONTDESK)
    added = []
    for first, last in (("Livia", "Oyelaran"), ("Matteo", "Oyelaran"), ("Noor", "Oyelaran")):
        answer = requests.post(
            f"{portal.url}/api/staff/patients",
            headers=headers,
            json={
                "first_name": first,
                "last_name": last,
                "date_of_birth": "1990-02-02",
                "email": f"{first.lower()}.oyelaran@example.com",
                "zip": "02170",
                "activate_without_confirmation": True,
            },
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        added.append(answer.json()["patient_id"])
    # When staff invite them all (one picked twice) in one job
    answer = requests.post(
        f"{portal.url}/api/staff/onboarding/invitations",
        headers=headers,
        json={"patient_ids": [*added, added[0]]},
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    # Then the worker, fed by the stream poller, finishes it
    progress = finished_job(portal, headers, answer.json()["job_id"])
    assert (progress["state"], progress["total"], progress["done"], progress["failed"]) == ("finished", 3, 3, 0)
    # And each of them gets exactly one invitation in the mailbox
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        to = [
            address for email in portal.mail() for address in email["to"] if address.endswith(".oyelaran@example.com")
        ]
        if len(to) >= 3:
            break
        time.sleep(0.2)
    # once the mailbox has settled (quiet for longer than the emulator's pace of 1 a second), no extra came
    to = sorted(
        address
        for email in portal.settled_mail(quiet=1.5)
        for address in email["to"]
        if address.endswith(".oyelaran@example.com")
    )
    assert to == ["livia.oyelaran@example.com", "matteo.oyelaran@example.com", "noor.oyelaran@example.com"]
    # And the onboarding list shows the invitations as sent
    listed = requests.get(f"{portal.url}/api/staff/onboarding?q=oyelaran", headers=headers, timeout=10).json()
    assert [item["invitation"]["state"] for item in listed["items"]] == ["sent", "sent", "sent"]


def test_an_admin_import_runs_through_the_worker(portal):
    headers = {**bearer(portal, ADMIN), "content-type": "text/csv"}
    data = (
        "first_name,last_name,date_of_birth,email,zip\n"
        "Rhea,Valdés,1977-07-07,rhea.valdes@example.com,02171\n"
        "Sven,Valdés,1979-09-09,not-an-email,02171\n"
    ).encode()
    answer = requests.post(
        f"{portal.url}/api/staff/patients/import?dry_run=false&enable_access=true",
        headers=headers,
        data=data,
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    progress = finished_job(portal, headers, answer.json()["job_id"])
    assert (progress["done"], progress["failed"]) == (1, 1)
    assert progress["failures"][0]["row"] == 3
    listed = requests.get(f"{portal.url}/api/staff/onboarding?q=vald", headers=headers, timeout=10).json()
    assert [(item["first_name"], item["portal_status"]["status"]) for item in listed["items"]] == [
        ("Rhea", "unactivated")
    ]
    # The page route is served as CloudFront would serve it
    page = requests.get(f"{portal.url}/staff/onboarding", timeout=10)
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
