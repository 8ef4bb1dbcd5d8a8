"""`make load`: a bounded load test with locust against a fresh local runtime (issue 13, "Load").

Invented patients (made by staff through the API) submit requests and secure messages and
read their inbox; invented and demo staff list the queue, reply, dismiss, restore and search,
and now and then two of them act on the same item at the same version at once. The run is
bounded twice: a number of requests (every request of the mix counts; the set-up sign-ins
and the checks afterwards do not) and a time limit. Then it checks, through the API and the
emulator's table:

- no answer was a 5xx, and every answer was one the route may give (a 409 only on a queue
  change);
- every 409 matches a real conflict: another request succeeded on the same item at the same
  version, and the item's history says that winner made the change;
- every write is accounted for: each patient's requests and inbox hold exactly what was
  answered 201 (and each reply exactly once), each touched item's version and history are
  the successful changes in order, the open queue and the archive hold what those changes
  leave, the table's requests and messages grew by exactly the successes, the unread counts
  equal the replies, and each notified reply sent one email.

It prints locust's report (requests, failures, percentiles) and the checks, exits 1 if a
check failed, and with ``--summary`` writes the figures as JSON (tests/local/load_short.py).
Times are printed, never asserted. Traffic goes only to the runtime on 127.0.0.1.
"""

from __future__ import annotations

# locust patches the standard library for gevent when it is imported: before anything else
# imports ssl or opens a socket.
import gevent
from locust import HttpUser, constant, task
from locust.clients import HttpSession
from locust.env import Environment
from locust.exception import StopUser
from locust.log import setup_logging
from locust.stats import print_error_report, print_percentile_stats, print_stats

# isort: split
import argparse
import json
import random
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests

from local import demo_data
from local.stack import STACK_NAME
from tests import staff_mfa
from tests.local.conftest import RunningPortal, start_portal

CONCURRENCY = 16
# All users start at once: the local gateway's listen backlog (local.gateway.GatewayServer)
# takes a burst of 16 connections, as a CloudFront edge would.
SPAWN_RATE = CONCURRENCY
PATIENT_USERS = 10
STAFF_USERS = 6  # the two demo staff and four invented members
LAST_NAME = "Loadwell"  # every invented patient's; demo data has no such name
FIRST_NAMES = ("Ada", "Bram", "Cleo", "Dov", "Edda", "Finn", "Greta", "Hugo", "Iona", "Jory")
STAFF_PASSWORD = "Loadwell-staff-kettle-2026"  # noqa: S105 - the invented members' own
PATIENT_PASSWORD = "silver lantern harbor forty"  # noqa: S105
TIMEOUT = 60  # seconds a client waits for one answer; each function serves one at a time
PAGE = 200

# Which staff change makes which history entry (action, state after), by the request's kind.
HISTORY = {
    "reply:leave_open": ("replied", "open"),
    "reply:completed": ("dismissed", "completed"),
    "reply:not_completed": ("dismissed", "not_completed"),
    "dismiss:completed": ("dismissed", "completed"),
    "dismiss:not_completed": ("dismissed", "not_completed"),
    "restore": ("restored", "open"),
}


@dataclass
class Change:
    """One staff change asked for: who, on which item, at which version, what it was."""

    staff: str
    item: str
    version: int
    kind: str  # a key of HISTORY
    status: int = 0
    message_id: str = ""  # a reply's
    patient_id: str = ""
    current: dict[str, Any] | None = None  # a 409's item as it then stood


@dataclass
class Ledger:
    """Everything the load was answered, for the checks afterwards."""

    limit: int
    issued: int = 0
    answered: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    submitted: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))  # (id, type)
    sent: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))  # (message, request)
    changes: list[Change] = field(default_factory=list)
    contests: int = 0

    def take(self) -> None:
        if self.issued >= self.limit:
            raise StopUser
        self.issued += 1


LEDGER = Ledger(limit=0)
PATIENT_SEATS: list[dict[str, str]] = []
STAFF_SEATS: list[dict[str, str]] = []
STAFF_TOKENS: dict[str, str] = {}
MIX = random.Random()  # noqa: S311 - chooses the load's next step, no secret


def call(
    client: HttpSession,
    token: str,
    route: str,
    name: str,
    expected: set[int],
    *,
    counted: bool = False,
    **options: Any,
) -> tuple[int, Any]:
    """One request of the mix (``route``: method and path), counted against the limit unless
    ``counted`` already; an answer outside ``expected`` is a failure in locust's report and in
    the checks."""
    method, path = route.split(" ", 1)
    if not counted:
        LEDGER.take()
    with client.request(
        method,
        path,
        name=name,
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
        catch_response=True,
        **options,
    ) as answer:
        status = int(answer.status_code or 0)
        LEDGER.answered += 1
        LEDGER.statuses[status] += 1
        if status in expected:
            answer.success()
        else:
            answer.failure(f"unexpected {status}")
            said = repr(answer.error) if status == 0 else (answer.text or "")[:200]
            LEDGER.unexpected.append(f"{method} {name}: {status} {said}")
        try:
            body = answer.json() if answer.content else None
        except ValueError:
            body = None
        return status, body


class PatientUser(HttpUser):
    fixed_count = PATIENT_USERS
    wait_time = constant(0)

    def on_start(self) -> None:
        seat = PATIENT_SEATS.pop()
        self.patient_id, self.token = seat["patient_id"], seat["token"]
        self.practice_messages: list[str] = []

    def get(self, path: str, name: str) -> Any:
        """The answer's body when it is the 200 expected, else None (the ledger has the rest)."""
        status, answer = call(self.client, self.token, f"GET {path}", name, {200})
        return answer if status == 200 else None

    @task(3)
    def submit_request(self) -> None:
        number = uuid.uuid4().hex[:8]
        body = MIX.choice(
            [
                {"type": "refill", "medication": f"load medicine {number}", "dosage": "10 mg"},
                {"type": "appointment", "reason": f"load visit {number}", "preferred_times": ["Tue morning"]},
                {"type": "records", "what": f"load records {number}", "delivery": "portal"},
                {"type": "message", "body": f"load question {number}"},
            ]
        )
        status, answer = call(self.client, self.token, "POST /api/portal/requests", "submit request", {201}, json=body)
        if status == 201:
            LEDGER.submitted[self.patient_id].append((answer["request_id"], body["type"]))

    @task(2)
    def send_message(self) -> None:
        body: dict[str, str] = {"body": f"load message {uuid.uuid4().hex[:8]}"}
        if self.practice_messages and MIX.random() < 0.3:
            body["in_reply_to"] = MIX.choice(self.practice_messages)
        status, answer = call(self.client, self.token, "POST /api/portal/messages", "send message", {201}, json=body)
        if status == 201:
            LEDGER.sent[self.patient_id].append((answer["message_id"], answer["request_id"]))

    @task(3)
    def read_inbox(self) -> None:
        inbox = self.get("/api/portal/messages?limit=20", "read inbox")
        if inbox:
            self.practice_messages = [row["message_id"] for row in inbox["items"] if row["author"] == "practice"]

    @task(1)
    def list_requests(self) -> None:
        self.get("/api/portal/requests?limit=20", "list own requests")


class StaffUser(HttpUser):
    fixed_count = STAFF_USERS
    wait_time = constant(0)

    def on_start(self) -> None:
        seat = STAFF_SEATS.pop()
        self.username, self.token = seat["username"], seat["token"]
        self.rival = HttpSession(base_url=self.host, request_event=self.environment.events.request, user=self)
        self.open_rows: list[dict[str, Any]] = []  # load patients' open items, oldest first
        self.archived_rows: list[dict[str, Any]] = []

    def mine(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [row for row in rows if row["patient_name"].endswith(LAST_NAME)]

    @task(3)
    def list_queue(self) -> None:
        status, page = call(self.client, self.token, "GET /api/staff/queue?limit=30", "list queue", {200})
        if status == 200:
            self.open_rows = self.mine(page["items"])

    def act(self, client: HttpSession, staff: str, row: dict[str, Any], kind: str, *, counted: bool = False) -> Change:
        """A reply, dismissal or restoration of ``row`` at the version it showed."""
        change = Change(staff=staff, item=row["request_id"], version=int(row["version"]), kind=kind)
        change.patient_id = row["patient_id"]
        if kind.startswith("reply:"):
            path, name = f"/api/staff/queue/{change.item}/reply", "reply"
            body: dict[str, Any] = {
                "body": f"load reply {uuid.uuid4().hex[:8]}",
                "disposition": kind.split(":")[1],
                "notify_patient": True,
                "link_to_request": True,
                "expected_version": change.version,
            }
        elif kind.startswith("dismiss:"):
            path, name = f"/api/staff/queue/{change.item}/dismiss", "dismiss"
            body = {"outcome": kind.split(":")[1], "expected_version": change.version}
        else:
            path, name = f"/api/staff/archive/{change.item}/restore", "restore"
            body = {"expected_version": change.version}
        change.status, answer = call(
            client, STAFF_TOKENS[staff], f"POST {path}", name, {200, 409}, counted=counted, json=body
        )
        if change.status == 200 and kind.startswith("reply:"):
            change.message_id = answer["message"]["message_id"]
        if change.status == 409 and isinstance(answer, dict):
            change.current = answer.get("current")
        LEDGER.changes.append(change)
        return change

    def after(self, change: Change, row: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        """What the page does next: drop a row that left this list, else take its new version."""
        if change.status == 200:
            state, version = HISTORY[change.kind][1], change.version + 1
        elif change.current is not None:
            state, version = str(change.current["state"]), int(change.current["version"])
        else:
            state, version = "", 0
        if state and (state == "open") == (rows is self.open_rows):
            row["version"] = version
        elif row in rows:
            rows.remove(row)

    def pick(self, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
        # The oldest few, as several people working one queue top down would: they collide.
        return MIX.choice(rows[:4]) if rows else None

    def disposition(self) -> str:
        return MIX.choice(["reply:leave_open", "reply:leave_open", "reply:completed", "reply:not_completed"])

    @task(2)
    def reply(self) -> None:
        row = self.pick(self.open_rows)
        if row is not None:
            self.after(self.act(self.client, self.username, row, self.disposition()), row, self.open_rows)

    @task(2)
    def dismiss(self) -> None:
        row = self.pick(self.open_rows)
        if row is not None:
            kind = MIX.choice(["dismiss:completed", "dismiss:not_completed"])
            self.after(self.act(self.client, self.username, row, kind), row, self.open_rows)

    @task(1)
    def search_archive(self) -> None:
        status, page = call(
            self.client, self.token, f"GET /api/staff/archive?q={LAST_NAME}&limit=20", "search archive", {200}
        )
        if status == 200:
            self.archived_rows = self.mine(page["items"])

    @task(1)
    def restore(self) -> None:
        row = self.pick(self.archived_rows)
        if row is not None:
            self.after(self.act(self.client, self.username, row, "restore"), row, self.archived_rows)

    @task(1)
    def search_patients(self) -> None:
        call(self.client, self.token, f"GET /api/staff/patients?q={LAST_NAME}", "search patients", {200})

    @task(1)
    def contest(self) -> None:
        """Two staff members act on one open item at the same version at the same moment."""
        row = self.pick(self.open_rows)
        if row is None or LEDGER.limit - LEDGER.issued < 2:
            return
        LEDGER.issued += 2  # both at once (no other greenlet runs in between)
        LEDGER.contests += 1
        other = MIX.choice([name for name in STAFF_TOKENS if name != self.username])
        kinds = [self.disposition(), MIX.choice(["dismiss:completed", "reply:completed", "reply:leave_open"])]
        pair = [
            gevent.spawn(self.act, self.client, self.username, dict(row), kinds[0], counted=True),
            gevent.spawn(self.act, self.rival, other, dict(row), kinds[1], counted=True),
        ]
        gevent.joinall(pair, raise_error=True)
        for done in pair:
            self.after(done.value, row, self.open_rows)


# Set-up and read-back, outside the count: plain requests, one at a time.


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def expect(answer: requests.Response, status: int) -> Any:
    if answer.status_code != status:
        raise RuntimeError(f"{answer.request.method} {answer.url}: {answer.status_code} {answer.text[:300]}")
    return answer.json() if answer.content else None


def emulator(portal: RunningPortal, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=portal.emulator_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the emulator's placeholder
    )


def add_staff_members(portal: RunningPortal, count: int) -> list[tuple[str, str]]:
    """Invented staff members, made in the emulator's staff pool as an admin would make them;
    each enrols its authenticator app at its first sign-in."""
    cognito = emulator(portal, "cognito-idp")
    pool = next(
        item["Id"]
        for item in cognito.list_user_pools(MaxResults=10)["UserPools"]
        if item["Name"] == f"{STACK_NAME}-staff"
    )
    members = []
    for number in range(1, count + 1):
        username = f"loadstaff{number}"
        cognito.admin_create_user(
            UserPoolId=pool,
            Username=username,
            UserAttributes=[{"Name": "email", "Value": f"{username}@riverbend-demo.example"}],
            MessageAction="SUPPRESS",
        )
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName="staff")
        cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password=STAFF_PASSWORD, Permanent=True)
        members.append((username, STAFF_PASSWORD))
    return members


def add_patients(url: str, staff_token: str) -> list[dict[str, str]]:
    """Invented patients, added by staff with access on and a username and password set by hand."""
    added = []
    for number, first in enumerate(FIRST_NAMES[:PATIENT_USERS]):
        new = {
            "first_name": first,
            "last_name": LAST_NAME,
            "date_of_birth": f"19{60 + number}-0{1 + number % 9}-1{number}",
            "email": f"{first.lower()}.{LAST_NAME.lower()}@example.com",
            "zip": f"0{2160 + number}",
            "activate_without_confirmation": True,
        }
        patient = expect(
            requests.post(f"{url}/api/staff/patients", json=new, headers=bearer(staff_token), timeout=30), 201
        )
        username = f"{first.lower()}.{LAST_NAME.lower()}"
        added.append({"patient_id": patient["patient_id"], "username": username, "email": new["email"]})
    for patient in added:
        credentials = {"username": patient["username"], "password": PATIENT_PASSWORD}
        path = f"{url}/api/staff/patients/{patient['patient_id']}/credentials"
        expect(requests.put(path, json=credentials, headers=bearer(staff_token), timeout=30), 200)
    for patient in added:
        signed_in = requests.post(
            f"{url}/api/auth/patient/login",
            json={"username": patient["username"], "password": PATIENT_PASSWORD},
            timeout=30,
        )
        patient["token"] = expect(signed_in, 200)["access_token"]
    return added


def staff_sign_in(url: str, username: str, password: str) -> str:
    client = requests.Session()

    def post(path: str, body: dict[str, Any]) -> tuple[int, Any]:
        answer = client.post(f"{url}{path}", json=body, timeout=30)
        return answer.status_code, answer.json() if answer.content else None

    status, body = staff_mfa.finish(
        post, username, *post("/api/auth/staff/login", {"username": username, "password": password})
    )
    if status != 200:
        raise RuntimeError(f"staff sign-in of {username}: {status} {body}")
    return str(body["access_token"])


def every_page(url: str, path: str, token: str, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": PAGE, **({"cursor": cursor} if cursor else {})}
        page = expect(requests.get(f"{url}{path}", params=query, headers=bearer(token), timeout=60), 200)
        rows.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return rows


def kinds_in_table(portal: RunningPortal) -> Counter[str]:
    """Items of the emulator's table by kind (a Scan: a check after the run, not a request path)."""
    dynamodb = emulator(portal, "dynamodb")
    counted: Counter[str] = Counter()
    for page in dynamodb.get_paginator("scan").paginate(
        TableName=f"{STACK_NAME}-PortalTable", ProjectionExpression="kind", ConsistentRead=True
    ):
        counted.update(item.get("kind", {}).get("S", "") for item in page["Items"])
    return counted


# The checks.


@dataclass
class Checks:
    failures: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)

    def check(self, ok: bool, what: str, detail: str = "") -> None:
        (self.passed if ok else self.failures).append(what if ok else f"{what}: {detail}")


def check_conflicts(checks: Checks, details: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Each 409 against the success at its item and version, and that item's history."""
    winners: dict[tuple[str, int], list[Change]] = defaultdict(list)
    for change in LEDGER.changes:
        if change.status == 200:
            winners[change.item, change.version].append(change)
    doubled = {key: len(found) for key, found in winners.items() if len(found) > 1}
    checks.check(not doubled, "at most one change succeeds per item and version", str(doubled))
    conflicts = [change for change in LEDGER.changes if change.status == 409]
    matched = other_member = 0
    unmatched = []
    for loser in conflicts:
        found = winners.get((loser.item, loser.version), [])
        history = details.get(loser.item, {}).get("history", [])
        entry = history[loser.version - 1] if len(history) >= loser.version else None
        winner = found[0] if len(found) == 1 else None
        ok = (
            winner is not None
            and entry is not None
            and (entry["action"], entry["state"]) == HISTORY[winner.kind]
            and entry["by"] == winner.staff
            and loser.current is not None
            and int(loser.current["version"]) > loser.version
        )
        if ok:
            matched += 1
            other_member += int(winner is not None and winner.staff != loser.staff)
        else:
            unmatched.append(f"{loser.item}@{loser.version}")
    checks.check(not unmatched, "every 409 matches another request's success at that version", ", ".join(unmatched))
    return {"conflicts": len(conflicts), "matched": matched, "won_by_another_member": other_member}


def replay(item_changes: list[Change]) -> tuple[int, str, list[tuple[str, str, str]]]:
    """An item's successful changes in version order: its final version, state and history."""
    version, state, history = 1, "open", []
    for change in sorted(item_changes, key=lambda change: change.version):
        action, state = HISTORY[change.kind]
        history.append((change.staff, action, state))
        version += 1
    return version, state, history


def check_patient(
    checks: Checks, url: str, patient: dict[str, str], replies: dict[str, list[Change]]
) -> tuple[list[str], set[str]]:
    """One patient's requests and inbox: exactly what was answered, once each. Answers the
    patient's requests and which of them are secure messages."""
    pid = patient["patient_id"]
    expected_requests = [rid for rid, _ in LEDGER.submitted[pid]] + [rid for _, rid in LEDGER.sent[pid]]
    listed = [row["request_id"] for row in every_page(url, "/api/portal/requests", patient["token"])]
    checks.check(
        sorted(listed) == sorted(expected_requests),
        f"{patient['username']}: requests listed = requests answered 201 ({len(expected_requests)})",
        f"listed {len(listed)}, answered {len(expected_requests)}",
    )
    typed = {rid for rid, kind in LEDGER.submitted[pid] if kind == "message"}
    inbox = expect(
        requests.get(f"{url}/api/portal/messages?limit=1", headers=bearer(patient["token"]), timeout=60), 200
    )
    messages = every_page(url, "/api/portal/messages", patient["token"])
    ids = Counter(row["message_id"] for row in messages)
    known = [mid for mid, _ in LEDGER.sent[pid]] + [change.message_id for change in replies[pid]]
    firsts = Counter(
        row["request_id"] for row in messages if row["author"] == "patient" and row["message_id"] not in known
    )
    ok = (
        all(count == 1 for count in ids.values())
        and all(ids[mid] == 1 for mid in known)
        and firsts == Counter(typed)
        and len(messages) == len(known) + len(typed)
    )
    checks.check(
        ok,
        f"{patient['username']}: inbox = messages sent + replies + first messages, once each ({len(messages)})",
        f"inbox {len(messages)}, expected {len(known) + len(typed)}",
    )
    checks.check(
        inbox["unread_count"] == len(replies[pid]),
        f"{patient['username']}: unread count = replies ({len(replies[pid])})",
        f"unread {inbox['unread_count']}",
    )
    return expected_requests, typed | {rid for _, rid in LEDGER.sent[pid]}


def check_mail(
    checks: Checks, portal: RunningPortal, patients: list[dict[str, str]], replies: dict[str, list[Change]]
) -> int:
    """Each notified reply sent one email, to that patient's address (the stream delivers
    them a moment later: waited for, at most 90 s)."""
    addresses = {patient["patient_id"]: patient["email"] for patient in patients}
    wanted = Counter({addresses[pid]: len(found) for pid, found in replies.items()})
    deadline = time.monotonic() + 90
    while True:
        mail = Counter(to for email in portal.mail() for to in email["to"] if to in addresses.values())
        if mail == wanted or time.monotonic() > deadline:
            break
        time.sleep(1)
    checks.check(mail == wanted, f"one email per notified reply ({sum(wanted.values())})", f"{sum(mail.values())} sent")
    return sum(mail.values())


def check_writes(
    checks: Checks, portal: RunningPortal, staff_token: str, patients: list[dict[str, str]], before: Counter[str]
) -> tuple[dict[str, int], dict[str, dict[str, Any]]]:
    url = portal.url
    wins = [change for change in LEDGER.changes if change.status == 200]
    by_item: dict[str, list[Change]] = defaultdict(list)
    for change in wins:
        by_item[change.item].append(change)
    replies: dict[str, list[Change]] = defaultdict(list)
    for change in wins:
        if change.message_id:
            replies[change.patient_id].append(change)

    # Each patient's requests and inbox: exactly what was answered, once each.
    all_requests: set[str] = set()
    message_requests: set[str] = set()
    for patient in patients:
        listed, messaging = check_patient(checks, url, patient, replies)
        all_requests.update(listed)
        message_requests.update(messaging)

    # Each touched item: version and history are its successful changes in order; its thread
    # holds each reply once.
    details: dict[str, dict[str, Any]] = {}
    touched = {change.item for change in LEDGER.changes} | all_requests
    bad_items = []
    for item in sorted(touched):
        detail = expect(requests.get(f"{url}/api/staff/queue/{item}", headers=bearer(staff_token), timeout=60), 200)
        details[item] = detail
        version, state, history = replay(by_item[item])
        seen = [(entry["by"], entry["action"], entry["state"]) for entry in detail["history"]]
        thread = Counter(message["message_id"] for message in detail["thread"])
        linked = [change.message_id for change in by_item[item] if change.message_id]
        if (
            detail["version"] != version
            or detail["state"] != state
            or seen != history
            or any(thread[mid] != 1 for mid in linked)
            or len(thread) != len(linked) + (item in message_requests)
        ):
            bad_items.append(item)
    checks.check(
        not bad_items,
        f"every touched item's version, state, history and thread = its successful changes ({len(touched)} items)",
        ", ".join(bad_items[:10]),
    )

    # The open queue and the archive hold what those changes leave.
    open_now = {row["request_id"] for row in every_page(url, "/api/staff/queue", staff_token)}
    archived = {row["request_id"] for row in every_page(url, "/api/staff/archive", staff_token, q=LAST_NAME)}
    finals = {item: replay(by_item[item])[1] for item in all_requests}
    should_be_open = {item for item, state in finals.items() if state == "open"}
    checks.check(
        open_now & all_requests == should_be_open,
        f"open queue holds exactly the load's open items ({len(should_be_open)})",
        f"{len(open_now & all_requests)} listed",
    )
    checks.check(
        archived & all_requests == all_requests - should_be_open and not (archived & open_now),
        f"archive holds exactly the load's dismissed items ({len(all_requests - should_be_open)})",
        f"{len(archived & all_requests)} listed",
    )

    # The table grew by exactly the successes.
    after = kinds_in_table(portal)
    new_messages = len(message_requests) + sum(len(found) for found in replies.values())
    checks.check(
        after["request"] - before["request"] == len(all_requests),
        f"table: request items grew by the requests answered 201 ({len(all_requests)})",
        f"grew by {after['request'] - before['request']}",
    )
    checks.check(
        after["message"] - before["message"] == new_messages,
        f"table: message items grew by patient messages + replies ({new_messages})",
        f"grew by {after['message'] - before['message']}",
    )

    emails = check_mail(checks, portal, patients, replies)
    figures = {
        "requests_answered_201": len(all_requests),
        "patient_messages": sum(len(found) for found in LEDGER.sent.values()),
        "message_items_added": after["message"] - before["message"],
        "successful_changes": len(wins),
        "replies": sum(len(found) for found in replies.values()),
        "items_checked": len(touched),
        "open_after": len(should_be_open),
        "emails": emails,
    }
    return figures, details


def set_up(portal: RunningPortal) -> tuple[str, list[dict[str, str]]]:
    """The staff sign in once each and the patients are made and signed in once each; their
    tokens are reused for the whole run (sign-in is never repeated, so no limit is near)."""
    demo_staff = [(login.username, login.password) for login in demo_data.STAFF_LOGINS]
    members = demo_staff + add_staff_members(portal, STAFF_USERS - len(demo_staff))
    for username, password in members:
        STAFF_TOKENS[username] = staff_sign_in(portal.url, username, password)
        STAFF_SEATS.append({"username": username, "token": STAFF_TOKENS[username]})
    patients = add_patients(portal.url, STAFF_TOKENS["manager"])
    PATIENT_SEATS.extend(patients)
    return STAFF_TOKENS["manager"], patients


def load(url: str, limit: int, time_limit: float) -> tuple[bool, float]:
    """The mix, until ``limit`` requests are answered or ``time_limit`` seconds have passed;
    then locust's report."""
    environment = Environment(user_classes=[PatientUser, StaffUser], host=url)
    runner = environment.create_local_runner()
    started = time.monotonic()
    runner.start(CONCURRENCY, spawn_rate=SPAWN_RATE)
    deadline = started + time_limit
    while LEDGER.answered < limit and time.monotonic() < deadline:
        if LEDGER.issued >= limit and not runner.user_greenlets:
            break
        gevent.sleep(0.05)
    finished = LEDGER.answered >= limit
    runner.quit()
    elapsed = time.monotonic() - started
    print()
    setup_logging("WARNING")  # locust's report goes through its own logger
    print_stats(environment.stats, current=False)
    print_percentile_stats(environment.stats)
    print_error_report(environment.stats)
    return finished, elapsed


def runtime_errors(portal: RunningPortal) -> list[str]:
    """What the runtime printed about an error (a traceback, a 500's cause), for the report."""
    lines = portal.output
    marks = ("Traceback", " ERROR ", '"ERROR"')
    found = [index for index, line in enumerate(lines) if any(mark in line for mark in marks)]
    return ["".join(lines[index : index + 80]) for index in found[:3]]


def stop(portal: RunningPortal) -> int | None:
    """Ctrl-C, as `make run` is stopped; a runtime still not gone after 20 s is killed (and
    the check that it stopped cleanly fails)."""
    try:
        return portal.stop()
    except subprocess.TimeoutExpired:
        portal.process.kill()
        portal.process.wait(timeout=20)
        return None


def run(limit: int, time_limit: float, summary: Path | None) -> int:
    LEDGER.limit = limit
    checks = Checks()
    started = time.monotonic()
    portal = start_portal(demo_data=True)
    try:
        admin_token, patients = set_up(portal)
        before = kinds_in_table(portal)
        print(f"set up in {time.monotonic() - started:.1f} s: {len(patients)} patients, {len(STAFF_TOKENS)} staff")
        finished, elapsed = load(portal.url, limit, time_limit)
        checks.check(finished, f"{limit} requests answered", f"{LEDGER.answered} answered within {time_limit:.0f} s")
        fivexx = sum(count for status, count in LEDGER.statuses.items() if status >= 500 or status == 0)
        checks.check(fivexx == 0, "no 5xx (nor a request without an answer)", f"{fivexx}")
        checks.check(not LEDGER.unexpected, "every answer one the route may give", "; ".join(LEDGER.unexpected[:5]))
        figures, details = check_writes(checks, portal, admin_token, patients, before)
        conflicts = check_conflicts(checks, details)
        errors: list[str] = []
    finally:
        stopped = stop(portal)
        if LEDGER.unexpected:
            errors = runtime_errors(portal)
    checks.check(stopped == 0, "the runtime stopped cleanly", f"exit {stopped}")
    report(checks, elapsed=elapsed, conflicts=conflicts, figures=figures, errors=errors, summary=summary)
    return 1 if checks.failures else 0


def report(
    checks: Checks,
    *,
    elapsed: float,
    conflicts: dict[str, int],
    figures: dict[str, int],
    errors: list[str],
    summary: Path | None,
) -> None:
    outcomes = Counter(f"{change.kind.split(':')[0]} {change.status}" for change in LEDGER.changes)
    print(f"\nLoad: {LEDGER.answered} requests in {elapsed:.1f} s at concurrency {CONCURRENCY}")
    print("statuses: " + ", ".join(f"{status}: {count}" for status, count in sorted(LEDGER.statuses.items())))
    print("staff changes: " + ", ".join(f"{name}: {count}" for name, count in sorted(outcomes.items())))
    print(
        f"409s: {conflicts['conflicts']}, matched to the winner's change {conflicts['matched']} "
        f"({conflicts['won_by_another_member']} won by another staff member); contests staged {LEDGER.contests}"
    )
    print("counts: " + ", ".join(f"{name} {value}" for name, value in figures.items()))
    for line in checks.passed:
        print(f"  ok    {line}")
    for line in checks.failures:
        print(f"  FAIL  {line}")
    for text in errors:
        print(f"runtime error:\n{text}")
    if summary is not None:
        figures_out = {
            "requests": LEDGER.answered,
            "seconds": round(elapsed, 1),
            "statuses": {str(status): count for status, count in sorted(LEDGER.statuses.items())},
            "unexpected": LEDGER.unexpected,
            "staff_changes": dict(outcomes),
            "contests": LEDGER.contests,
            **conflicts,
            **figures,
            "runtime_errors": errors,
            "passed": checks.passed,
            "failures": checks.failures,
        }
        summary.write_text(json.dumps(figures_out, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000, help="requests in the mix (default 2000)")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds the load may run (default 600)")
    parser.add_argument("--summary", type=Path, help="write the figures as JSON here")
    parser.add_argument("--seed", type=int, default=13, help="the mix's random seed")
    arguments = parser.parse_args()
    MIX.seed(arguments.seed)
    sys.exit(run(arguments.requests, arguments.time_limit, arguments.summary))


if __name__ == "__main__":
    main()
