"""The PHI leak scan (issue 13, section 2; docs/security.md "Data handling"): a scripted tour
of everything the portal does, against a fresh local runtime of its own, then every line
the runtime wrote (what its functions log through Powertools, print, warn, and the errors
Lambda's runtime would log for them: what CloudWatch would get) and every email SES
accepted (its headers and both parts) are searched for the patients' details, what they
asked and wrote, the one-time link tokens and the authenticator secret.

The tour uses invented values that cannot occur by chance (names such as Quillon Varesko,
texts carrying the marker ``zqphi``), beside every detail of the demo patients. Matching
ignores case, accents and spacing, and sees through JSON and Python escapes, URL and HTML
encoding; dates of birth are looked for in every shape the code could print.

Kept out of the search, and why: an email's ``To:`` header and envelope (the address it is
sent to, the one exception allowed); a link token inside the portal link of the email that
delivers it (that link is the email's purpose; the same token anywhere else, in that
email or any other, or in any log line, is a finding); the banner ``python -m local``
prints before ``READY`` (the demo logins for whoever ran ``make run``: the runtime's own
terminal, not a function's log).

Not there to scan: the metrics lines (EMF) Lambda would log, which the local runtime turns
off (``local/stack.py``); the code adds no metadata or dimension to a metric, only counts.

``make phi-scan`` runs this file alone and prints the figures; ``make test`` runs it too.
"""

from __future__ import annotations

import calendar
import csv
import email
import html
import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from email.policy import default as default_policy
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest
import requests
from moto.cognitoidp.models import COGNITO_TOTP_MFA_SECRET

from local import demo_data
from local.emulator import COGNITO_SENDER
from tests import staff_mfa
from tests.local.conftest import RunningPortal, start_portal

pytestmark = [pytest.mark.local_runtime, pytest.mark.xdist_group("phi_scan")]

FRONTDESK, ADMIN = demo_data.STAFF_LOGINS
TOUR_BUDGET = 240.0  # seconds for the whole tour; every wait inside it is bounded too
TOKEN_IN_LINK = re.compile(r"#token=([A-Za-z0-9_-]{16,})")


# --- The tour's invented people and texts ---------------------------------------------------


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    born: str  # YYYY-MM-DD
    email: str = ""
    phone: str = ""
    zip: str = ""


QUILLON = Person("Quillon", "Varesko", "1961-07-23", "quillon.varesko@tour-phi.example", "(555) 014-7391", "02801")
QUILLON_NEW_EMAIL = "q.varesko.moved@tour-phi.example"
BRISENDA = Person("Brisenda", "Marlowick", "1973-11-04", "brisenda.marlowick@tour-phi.example", "555-014-2286", "02802")
OTTOLINE = Person("Ottoline", "Fairgrave", "1958-02-19", "ottoline.fairgrave@tour-phi.example", "5550145503", "02803")
CASSIUS = Person("Cassius", "Drummelow", "1984-09-30", "cassius.drummelow@tour-phi.example", "", "02804")
PERPETUA = Person("Perpetua", "Drummelow", "1987-01-08", "perpetua.drummelow@tour-phi.example", "", "02804")
IGNATIUS = Person(
    "Ignatius", "Wrenfield", "1969-08-14", "ignatius.wrenfield@tour-phi.example", "(555) 014-6618", "02805"
)
MARGUERITE = Person("Marguerite", "Pellisande", "1990-05-27", "marguerite.pellisande@tour-phi.example", "", "02806")
# An import row that fails (its email is not one): the row's details must not leak either.
TOBIAH = Person("Tobiah", "Grendlesham", "1977-03-29", "tobiah.grendlesham-at-tour-phi", "(555) 014-8840", "02807")
TOUR_PEOPLE = (QUILLON, BRISENDA, OTTOLINE, CASSIUS, PERPETUA, IGNATIUS, MARGUERITE, TOBIAH)

REFILL = {
    "type": "refill",
    "medication": "zqphimedrol",
    "dosage": "37 mg zqphi-dose",
    "quantity": "zqphi 44 tablets",
    "pharmacy": "Zqphi Lantern Pharmacy",
    "note": "zqphi refill note: the pills taste of copper",
}
APPOINTMENT = {
    "type": "appointment",
    "reason": "zqphi appointment: ringing in the left ear",
    "preferred_times": ["zqphi Tuesday at dusk", "zqphi Friday at dawn"],
    "provider": "Dr. Zqphi Ambertree",
}
RECORDS = {"type": "records", "what": "zqphi records: the allergy panel", "period": "zqphi spring", "delivery": "email"}
DEMOGRAPHICS = {
    "type": "demographics",
    "changes": {
        "address": "77 Zqphi Lantern Row",
        "zip": "02809",
        "phone": "(555) 014-9904",
        "email": "quillon.changed@tour-phi.example",
    },
    "note": "zqphi demographics note: we moved to the lighthouse",
}
MESSAGE_REQUEST = {"type": "message", "body": "zqphi message request: is the fever clinic open late?"}
TEXTS = (  # everything else the tour's patients and staff write
    "zqphi secure message: the rash spread to my elbow",
    "zqphi reply to the practice: thank you, booked for Monday",
    "zqphi staff reply one: sent to your pharmacy",
    "zqphi staff reply two: see you on the 14th",
    "zqphi staff reply three: we cannot release this without a form",
    "zqphi staff reply four: answering your question",
    "zqphi staff reply on the demo message",
    "zqphi staff letter: your results are ready",
    "zqphi reason: confirmed by a phone call",
    "zqphi reason: the change set's new address",
)
PASSWORDS = (
    "quartz lantern meadow 8812",
    "copper violin harbor 3307",
    "velvet glacier tundra 5521",
    "amber orchid falcon 9043",
    "Tour-staff-Zq-temporary-2026",
    "Tour-staff-Zq-chosen-2026!",
)


# --- The matcher --------------------------------------------------------------------------


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|\\([nrt\"'\\/])")
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t"}


def _unescape_once(text: str) -> str:
    def one(found: re.Match[str]) -> str:
        code = found.group(1) or found.group(2)
        if code:
            return chr(int(code, 16))
        return _SIMPLE.get(found.group(3), found.group(3))

    return _ESCAPE.sub(one, text)


def unescape(text: str) -> str:
    """JSON's and Python's escapes, as often as they were applied (a JSON line inside a JSON
    line, a repr inside a log message)."""
    for _ in range(4):
        undone = _unescape_once(text)
        if undone == text:
            break
        text = undone
    return text


def fold(text: str) -> str:
    """Case, accents and spacing do not count."""
    stripped = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def views(text: str) -> set[str]:
    """The text as written, and decoded every way a value could have been encoded on its way
    into a log line or an email."""
    plain = unescape(text)
    found = {fold(text), fold(plain), fold(html.unescape(plain)), fold(unquote_plus(plain))}
    found.add(fold(html.unescape(unquote_plus(plain))))
    return found


def _bounded(pattern: str, folded: str) -> str:
    start = r"(?<![a-z0-9])" if folded[:1].isalnum() else ""
    end = r"(?![a-z0-9])" if folded[-1:].isalnum() else ""
    return start + pattern + end


def text_pattern(value: str) -> str:
    """The value as words, any punctuation or spacing between them."""
    words = re.findall(r"[a-z0-9]+", fold(value))
    if not words:
        return re.escape(fold(value))
    return _bounded(r"[\W_]*".join(re.escape(word) for word in words), words[0] + words[-1])


def literal_pattern(value: str) -> str:
    folded = fold(value)
    return _bounded(re.escape(folded), folded)


def phone_pattern(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return r"(?<!\d)" + r"\D{0,3}".join(digits) + r"(?!\d)"


def date_patterns(value: str) -> list[str]:
    """Every shape a date of birth could be printed in."""
    born = date.fromisoformat(value)
    y, m, d = born.year, born.month, born.day
    sep = r"[-/. ]"
    short = f"{y % 100:02d}"
    months = [fold(calendar.month_name[m]), fold(calendar.month_abbr[m])]
    day = rf"0?{d}(?:st|nd|rd|th)?"
    patterns = [
        rf"{y}{sep}?{m:02d}{sep}?{d:02d}",  # 1961-07-23, 1961/07/23, 19610723
        rf"{y}{sep}{m}{sep}{d}",  # 1961-7-23
        rf"0?{m}{sep}0?{d}{sep}(?:{y}|{short})",  # 07/23/1961, 7-23-61
        rf"0?{d}{sep}0?{m}{sep}(?:{y}|{short})",  # 23.07.1961
        rf"{y},\s*{m},\s*{d}",  # datetime.date(1961, 7, 23)
    ]
    for month in months:
        patterns.append(rf"{month}\.?\s*{day},?\s*{y}")  # July 23, 1961
        patterns.append(rf"{day}\s*{month}\.?,?\s*{y}")  # 23 Jul 1961
    return [r"(?<![0-9])" + pattern + r"(?![0-9])" for pattern in patterns]


@dataclass(frozen=True)
class Needle:
    kind: str
    label: str
    pattern: re.Pattern[str]


def needles_of(kind: str, label: str, patterns: Iterable[str]) -> list[Needle]:
    return [Needle(kind, label, re.compile(pattern)) for pattern in patterns]


def person_needles(first: str, last: str, born: str, email_address: str, phone: str) -> list[Needle]:
    who = f"{first} {last}"
    found = needles_of("name", who, [text_pattern(name) for name in (first, last) if fold(name)])
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", born):
        found += needles_of("date of birth", f"{who}: {born}", date_patterns(born))
    if email_address:
        found += needles_of("email", f"{who}: {email_address}", [literal_pattern(email_address)])
    if phone:
        found += needles_of("phone", f"{who}: {phone}", [phone_pattern(phone)])
    return found


def content_needles(kind: str, values: Iterable[str]) -> list[Needle]:
    return [need for value in values for need in needles_of(kind, value, [text_pattern(value)])]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from _strings(inner)


# Values of the demo requests that are words of the portal's own (a type, an outcome, a
# delivery choice) or too short to be anyone's (a dosage): every other one is looked for.
GENERIC = {"portal", "email", "mail", "pickup", "all", "monday", "friday", "march", "2025"}


def demo_needles() -> list[Needle]:
    found: list[Needle] = []
    for _, first, last, born, address, *_ in demo_data.PATIENTS:
        found += person_needles(first, last, born, address, "")
    texts: list[str] = []
    for request in [item[1] for item in demo_data.OPEN_REQUESTS] + [item[1] for item in demo_data.ARCHIVED_REQUESTS]:
        details = request.model_dump(exclude={"type"}, exclude_none=True)
        for key, value in details.items():
            if key == "changes":
                phone = value.get("phone")
                if phone:
                    found += needles_of("phone", f"demo request: {phone}", [phone_pattern(phone)])
                texts += [text for name, text in value.items() if name not in ("phone", "zip") and text]
            elif key != "delivery":
                texts += [text for text in _strings(value) if text]
    texts += [body for _, body, _ in demo_data.PRACTICE_MESSAGES]
    # The sample import file (docs/import.md), which the tour's admin sends as a dry run
    for row in csv.DictReader(demo_data.SAMPLE_IMPORT.read_text(encoding="utf-8").splitlines()):
        born = row["date_of_birth"]
        if "/" in born:
            month, day, year = born.split("/")
            born = f"{year}-{month:0>2}-{day:0>2}"
        found += person_needles(row["first_name"], row["last_name"], born, row["email"], row["phone"])
    wanted = [
        text for text in dict.fromkeys(texts) if fold(text) not in GENERIC and not re.fullmatch(r"[\d. ]+\w{0,3}", text)
    ]
    return found + content_needles("request or message text (demo)", wanted)


def tour_needles() -> list[Needle]:
    found: list[Needle] = []
    for person in TOUR_PEOPLE:
        found += person_needles(person.first, person.last, person.born, person.email, person.phone)
    found += needles_of("email", QUILLON_NEW_EMAIL, [literal_pattern(QUILLON_NEW_EMAIL)])
    changes = DEMOGRAPHICS["changes"]
    assert isinstance(changes, dict)
    found += needles_of("phone", changes["phone"], [phone_pattern(changes["phone"])])
    found += needles_of("email", changes["email"], [literal_pattern(changes["email"])])
    texts = [text for request in (REFILL, APPOINTMENT, RECORDS, MESSAGE_REQUEST) for text in _strings(request)]
    texts = [text for text in texts if text not in ("refill", "appointment", "records", "message", "email")]
    texts += [changes["address"], str(DEMOGRAPHICS["note"]), *TEXTS]
    found += content_needles("request or message text", texts)
    found += needles_of("marker", "zqphi", [r"zqphi"])
    found += content_needles("password", PASSWORDS)
    return found


def secret_needles(tokens: Iterable[str], secrets: Iterable[str], access_tokens: Iterable[str]) -> list[Needle]:
    found: list[Needle] = []
    for token in tokens:
        found += needles_of("link token", token[:12] + "...", [re.escape(fold(token))])
    for secret in secrets:
        grouped = r"\s*".join(re.escape(fold(secret)[start : start + 4]) for start in range(0, len(secret), 4))
        found += needles_of("TOTP secret", secret, [grouped])
    for token in access_tokens:
        found += needles_of("access token", token[:12] + "...", [re.escape(fold(token))])
    return found


@dataclass(frozen=True)
class Finding:
    where: str
    kind: str
    label: str
    excerpt: str


def search(where: str, text: str, needles: list[Needle]) -> list[Finding]:
    found = []
    seen: set[tuple[str, str]] = set()
    for view in views(text):
        for need in needles:
            if (need.kind, need.label) in seen:
                continue
            hit = need.pattern.search(view)
            if hit:
                seen.add((need.kind, need.label))
                excerpt = view[max(0, hit.start() - 60) : hit.end() + 60]
                found.append(Finding(where, need.kind, need.label, excerpt))
    return found


# --- What is scanned --------------------------------------------------------------------


def function_output(output: list[str]) -> list[str]:
    """Every line the runtime wrote but its banner (see the module's docstring)."""
    kept, in_banner = [], False
    for line in output:
        if line.startswith("Patient portal running locally"):
            in_banner = True
        if not in_banner:
            kept.append(line.rstrip("\n"))
        if line.startswith("READY "):
            in_banner = False
    return kept


@dataclass
class Email:
    message_id: str
    to: list[str]
    headers: list[tuple[str, str]]
    parts: dict[str, str]  # content type -> decoded text


def raw_emails(portal: RunningPortal) -> list[Email]:
    """Every email as SES got it (moto's model data: the raw MIME and its envelope)."""
    data = requests.get(f"{portal.emulator_url}/moto-api/data.json", timeout=30).json()
    found = []
    for sent in data.get("ses", {}).get("RawMessage", []):
        message = email.message_from_string(sent["raw_data"], policy=default_policy)
        parts = {}
        for part in message.walk():
            if part.get_content_maintype() == "text":
                parts[part.get_content_type()] = part.get_content()  # type: ignore[attr-defined]
        headers = [(name, str(value)) for name, value in message.items()]
        found.append(Email(sent["id"], list(sent["destinations"]), headers, parts))
    # Cognito's own emails (a staff invitation) are simple messages, not raw ones: scanned too
    for sent in data.get("ses", {}).get("Message", []):
        to = [address for addresses in sent["destinations"].values() for address in addresses]
        headers = [("To", ", ".join(to)), ("Subject", sent["subject"]), ("From", sent["source"])]
        found.append(Email(sent["id"], to, headers, {"text/plain": sent["body"]}))
    return found


def scan_email(sent: Email, needles: list[Needle]) -> list[Finding]:
    where = f"email {sent.message_id} to {', '.join(sent.to)}"
    findings = []
    for name, value in sent.headers:
        if name.lower() == "to":
            continue  # the envelope's address, the one exception
        findings += search(f"{where}, header {name}", f"{name}: {value}", needles)
    for kind, text in sent.parts.items():
        # The one place a link token belongs: the link of the email that delivers it.
        delivered = set(TOKEN_IN_LINK.findall(sent.parts.get("text/plain", "")))
        shown = text
        for token in delivered:
            shown = shown.replace(f"#token={token}", "#token=(its link)")
        findings += search(f"{where}, {kind}", shown, needles)
    return findings


# --- The tour ---------------------------------------------------------------------------


@dataclass
class Tour:
    portal: RunningPortal
    started: float = field(default_factory=time.monotonic)
    steps: list[str] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    secrets: set[str] = field(default_factory=lambda: {COGNITO_TOTP_MFA_SECRET.upper()})
    access_tokens: set[str] = field(default_factory=set)
    statuses: Counter[int] = field(default_factory=Counter)
    seen_mail: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return self.portal.url

    def step(self, name: str) -> None:
        assert time.monotonic() - self.started < TOUR_BUDGET, f"the tour overran its budget at {name!r}"
        self.steps.append(name)

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        expect: int | tuple[int, ...] = 200,
        query: dict[str, str] | None = None,
        **params: Any,
    ) -> Any:
        sent = dict(headers or {})
        params = {**params, **(query or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        answer = requests.request(
            method, f"{self.url}{path}", json=body, data=data, headers=sent, params=params or None, timeout=15
        )
        self.statuses[answer.status_code] += 1
        wanted = expect if isinstance(expect, tuple) else (expect,)
        assert answer.status_code in wanted, f"{method} {path}: {answer.status_code} {answer.text}\n" + "".join(
            self.portal.output[-40:]
        )
        return answer.json() if answer.content else None

    # People signing in

    def staff(self, login: demo_data.Login | tuple[str, str]) -> str:
        username, password = (login.username, login.password) if isinstance(login, demo_data.Login) else login
        client = requests.Session()

        def post(path: str, body: dict[str, Any]) -> tuple[int, Any]:
            answer = client.post(f"{self.url}{path}", json=body, timeout=15)
            payload = answer.json() if answer.content else None
            if path.endswith("/mfa/enrol") and isinstance(payload, dict):
                self.secrets.add(str(payload["secret"]).upper())
            return answer.status_code, payload

        status, body = post("/api/auth/staff/login", {"username": username, "password": password})
        if body and body.get("challenge") == "NEW_PASSWORD_REQUIRED":
            step = {"username": username, "session": body["session"], "new_password": PASSWORDS[5]}
            status, body = post("/api/auth/staff/challenge", step)
        status, body = staff_mfa.finish(post, username, status, body)
        assert status == 200, body
        self.access_tokens.add(body["access_token"])
        return str(body["access_token"])

    def patient(self, username: str, password: str) -> str:
        body = self.call("POST", "/api/auth/patient/login", body={"username": username, "password": password})
        self.access_tokens.add(body["access_token"])
        return str(body["access_token"])

    # Mail

    def mail_to(self, address: str, subject_has: str) -> dict[str, Any]:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            for sent in self.portal.mail():
                if (
                    address in sent["to"]
                    and subject_has in sent["subject"]
                    and sent["message_id"] not in self.seen_mail
                ):
                    self.seen_mail.add(sent["message_id"])
                    return dict(sent)
            time.sleep(0.1)
        raise AssertionError(f"no email to {address} about {subject_has!r}")

    def link_from(self, address: str, subject_has: str) -> str:
        sent = self.mail_to(address, subject_has)
        found = TOKEN_IN_LINK.search(sent["text"])
        assert found, sent["text"]
        self.tokens.add(found.group(1))
        return found.group(1)

    def use_link(self, token: str, password: str, username: str | None = None) -> None:
        self.call("POST", "/api/auth/link/inspect", body={"token": token})
        body: dict[str, Any] = {"token": token, "password": password}
        if username:
            self.call("POST", "/api/auth/link/username", body={"token": token, "username": username})
            body["username"] = username
        self.call("POST", "/api/auth/link/complete", body=body)

    def job_finished(self, token: str, job_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + 60
        while True:
            progress = self.call("GET", f"/api/staff/jobs/{job_id}", token=token)
            if progress["state"] == "finished" or time.monotonic() > deadline:
                assert progress["state"] == "finished", progress
                return dict(progress)
            time.sleep(0.2)

    def queue_row(self, token: str, request_id: str) -> dict[str, Any]:
        rows = self.call("GET", "/api/staff/queue", token=token, order="newest", limit=200)["items"]
        return next(row for row in rows if row["request_id"] == request_id)

    def archived(self, token: str, request_id: str, **query: str) -> dict[str, Any]:
        rows = self.call("GET", "/api/staff/archive", token=token, limit=200, query=query)["items"]
        return next(row for row in rows if row["request_id"] == request_id)


def add_patient(tour: Tour, staff: str, person: Person, *, activate: bool) -> str:
    body = {
        "first_name": person.first,
        "last_name": person.last,
        "date_of_birth": person.born,
        "email": person.email,
        "zip": person.zip,
        "phone": person.phone,
        "activate_without_confirmation": activate,
    }
    return str(tour.call("POST", "/api/staff/patients", token=staff, body=body, expect=201)["patient_id"])


def identity(person: Person, *, email_address: str | None = None) -> dict[str, str]:
    return {
        "email": email_address or person.email,
        "last_name": person.last.upper(),
        "date_of_birth": person.born,
        "zip": person.zip,
    }


def tour_accounts(tour: Tour, staff: str, admin: str) -> dict[str, str]:
    """Adding, inviting, registering, claiming, forgetting, importing; links completed."""
    ids: dict[str, str] = {}
    tour.step("staff add a patient with access on; a single invitation; its link completed")
    ids["quillon"] = add_patient(tour, staff, QUILLON, activate=True)
    tour.call("POST", f"/api/staff/patients/{ids['quillon']}/invitation", token=staff, expect=202)
    tour.use_link(tour.link_from(QUILLON.email, "invitation"), PASSWORDS[0], "quillon.v")

    tour.step("registration and its confirmation link")
    form = {
        "first_name": BRISENDA.first,
        "last_name": BRISENDA.last,
        "date_of_birth": BRISENDA.born,
        "email": BRISENDA.email,
        "zip": BRISENDA.zip,
        "phone": BRISENDA.phone,
    }
    tour.call("POST", "/api/auth/register", body=form, expect=202)
    tour.use_link(tour.link_from(BRISENDA.email, "Confirm your email"), PASSWORDS[1], "brisenda.m")
    tour.patient("brisenda.m", PASSWORDS[1])

    tour.step("staff add a patient without access, turn access on; claim, then forgot")
    ids["ottoline"] = add_patient(tour, staff, OTTOLINE, activate=False)
    tour.call(
        "PUT",
        f"/api/staff/patients/{ids['ottoline']}/portal-access",
        token=staff,
        body={"enabled": True, "identity_confirmed": True},
    )
    tour.call("POST", "/api/auth/claim", body=identity(OTTOLINE), expect=202)
    tour.use_link(tour.link_from(OTTOLINE.email, "Set up or reset"), PASSWORDS[2], "ottoline.f")
    tour.call("POST", "/api/auth/forgot", body=identity(OTTOLINE), expect=202)
    tour.use_link(tour.link_from(OTTOLINE.email, "Set up or reset"), PASSWORDS[3])
    tour.patient("ottoline.f", PASSWORDS[3])

    tour.step("claim and forgot for demo patients: a link, could-not-verify, contact-the-practice")
    ines = Person("Inès", "Moreau", "1992-07-30", "ines.moreau@example.com", "", "02142")
    tour.call("POST", "/api/auth/claim", body=identity(ines), expect=202)
    tour.use_link(tour.link_from(ines.email, "Set up or reset"), PASSWORDS[2], "ines.m")
    grace = Person("Grace", "Lindqvist", "1966-09-09", "grace.lindqvist@example.com", "", "02199")
    tour.call("POST", "/api/auth/forgot", body=identity(grace), expect=202)
    tour.mail_to(grace.email, "could not verify")
    twins = Person("Maya", "Okafor", "2009-06-01", demo_data.SHARED_EMAIL, "", "02140")
    tour.call("POST", "/api/auth/claim", body=identity(twins), expect=202)
    tour.mail_to(demo_data.SHARED_EMAIL, "contact")
    nobody = Person("Nobody", "Varesko", QUILLON.born, "nobody.varesko@tour-phi.example", "", "02801")
    tour.call("POST", "/api/auth/claim", body=identity(nobody), expect=202)  # no match at all: no email

    tour.step("bulk invitations, picked and by filter; one link completed")
    ids["cassius"] = add_patient(tour, staff, CASSIUS, activate=True)
    ids["perpetua"] = add_patient(tour, staff, PERPETUA, activate=True)
    job = tour.call(
        "POST", "/api/staff/onboarding/invitations", token=staff, body={"patient_ids": [ids["cassius"]]}, expect=202
    )
    tour.job_finished(staff, job["job_id"])
    job = tour.call(
        "POST",
        "/api/staff/onboarding/invitations",
        token=staff,
        body={"filter": {"q": "Drummelow"}, "confirm_resend": True},
        expect=202,
    )
    tour.job_finished(staff, job["job_id"])
    tour.link_from(CASSIUS.email, "invitation")
    tour.use_link(tour.link_from(PERPETUA.email, "invitation"), PASSWORDS[0], "perpetua.d")

    tour.step("an import by an admin: the dry run, the sample file's dry run, the import job")
    rows = [
        "First Name,Last Name,Date of Birth,Email,Zip,Phone",
        f"{IGNATIUS.first},{IGNATIUS.last},08/14/1969,{IGNATIUS.email},{IGNATIUS.zip},{IGNATIUS.phone}",
        f"{MARGUERITE.first},{MARGUERITE.last},{MARGUERITE.born},{MARGUERITE.email},{MARGUERITE.zip},",
        f"{TOBIAH.first},{TOBIAH.last},{TOBIAH.born},{TOBIAH.email},{TOBIAH.zip},{TOBIAH.phone}",
        f"{QUILLON.first},{QUILLON.last},{QUILLON.born},{QUILLON.email},{QUILLON.zip},",  # a duplicate
    ]
    patient_list = ("\n".join(rows) + "\n").encode()
    csv_headers = {"Content-Type": "text/csv"}
    tour.call(
        "POST", "/api/staff/patients/import", token=admin, data=patient_list, headers=csv_headers, enable_access="true"
    )
    sample = demo_data.SAMPLE_IMPORT.read_bytes()
    tour.call("POST", "/api/staff/patients/import", token=admin, data=sample, headers=csv_headers)
    started = tour.call(
        "POST",
        "/api/staff/patients/import",
        token=admin,
        data=patient_list,
        headers=csv_headers,
        dry_run="false",
        enable_access="true",
        expect=202,
    )
    progress = tour.job_finished(admin, started["job_id"])
    assert progress["failed"] >= 1, progress
    found = tour.call("GET", "/api/staff/patients", token=staff, q="Wrenfield")["items"]
    ids["ignatius"] = found[0]["patient_id"]
    tour.call("POST", f"/api/staff/patients/{ids['ignatius']}/invitation", token=staff, expect=202)
    tour.link_from(IGNATIUS.email, "invitation")
    return ids


def tour_queue(tour: Tour, staff: str, quillon: str) -> None:
    """Every request type; replies with every disposition; dismiss, archive search, restore."""
    patient = tour.patient("quillon.v", PASSWORDS[0])
    tour.step("the patient sends a request of every type and a secure message")
    made = {}
    for request in (REFILL, APPOINTMENT, RECORDS, DEMOGRAPHICS, MESSAGE_REQUEST):
        made[request["type"]] = tour.call("POST", "/api/portal/requests", token=patient, body=request, expect=201)[
            "request_id"
        ]
    made["portal_message"] = tour.call(
        "POST", "/api/portal/messages", token=patient, body={"body": TEXTS[0]}, expect=201
    )["request_id"]
    tour.call("GET", "/api/portal/requests", token=patient)
    tour.call("GET", "/api/portal/me", token=patient)

    tour.step("staff list the queue (all, newest, by type) and open each item, with its helper")
    tour.call("GET", "/api/staff/queue", token=staff, limit=200)
    for kind in ("refill", "appointment", "records", "demographics", "message"):
        tour.call("GET", "/api/staff/queue", token=staff, type=kind, order="newest")
    for request_id in made.values():
        tour.call("GET", f"/api/staff/queue/{request_id}", token=staff)
        tour.call("POST", f"/api/staff/queue/{request_id}/helper", token=staff)
        tour.call("POST", f"/api/staff/queue/{request_id}/helper", token=staff)  # the same draft again

    tour.step("replies with every disposition, emailed and not")
    for request_id, text, disposition, notify in (
        (made["refill"], TEXTS[2], "leave_open", True),
        (made["appointment"], TEXTS[3], "completed", True),
        (made["records"], TEXTS[4], "not_completed", False),
        (made["message"], TEXTS[5], "leave_open", True),
    ):
        row = tour.queue_row(staff, request_id)
        body = {"body": text, "disposition": disposition, "notify_patient": notify, "expected_version": row["version"]}
        tour.call("POST", f"/api/staff/queue/{request_id}/reply", token=staff, body=body)

    tour.step("dismiss as completed and as not completed; a stale version is a 409")
    for request_id, outcome in ((made["refill"], "completed"), (made["message"], "not_completed")):
        row = tour.queue_row(staff, request_id)
        body = {"outcome": outcome, "expected_version": row["version"]}
        tour.call("POST", f"/api/staff/queue/{request_id}/dismiss", token=staff, body=body)
        tour.call("POST", f"/api/staff/queue/{request_id}/dismiss", token=staff, body=body, expect=409)
    row = tour.queue_row(staff, made["portal_message"])
    body = {"body": TEXTS[6], "disposition": "completed", "expected_version": row["version"]}
    tour.call("POST", f"/api/staff/queue/{made['portal_message']}/reply", token=staff, body=body)

    tour.step("the archive searched by text, name in every order, date of birth, type and outcome")
    for query in (
        {"q": "zqphimedrol"},
        {"q": "fever clinic"},
        {"q": f"{QUILLON.last}, {QUILLON.first}"},
        {"q": f"{QUILLON.first} {QUILLON.last}"},
        {"q": f"{QUILLON.last} {QUILLON.first}"},
        {"q": "07/23/1961"},
        {"q": QUILLON.born},
        {"type": "refill", "outcome": "completed"},
        {"outcome": "not_completed", "q": QUILLON.last},
        {"from": "2000-01-01", "to": "2100-12-31", "q": "Thompson, Ava"},
    ):
        tour.call("GET", "/api/staff/archive", token=staff, query=query)

    tour.step("restore from the archive, back into the queue")
    archived = tour.archived(staff, made["refill"], q="zqphimedrol")
    tour.call(
        "POST",
        f"/api/staff/archive/{made['refill']}/restore",
        token=staff,
        body={"expected_version": archived["version"]},
    )
    tour.queue_row(staff, made["refill"])

    tour.step("the patient reads the practice's messages and answers one")
    inbox = tour.call("GET", "/api/portal/messages", token=patient)
    for message in inbox["items"]:
        if message["author"] == "practice" and not message["read"]:
            tour.call("POST", f"/api/portal/messages/{message['message_id']}/read", token=patient)
    practice = next(message for message in inbox["items"] if message["author"] == "practice")
    reply = {"body": TEXTS[1], "in_reply_to": practice["message_id"]}
    tour.call("POST", "/api/portal/messages", token=patient, body=reply, expect=201)

    tour.step("a staff message to the patient, correspondence and audit trail")
    tour.call("POST", f"/api/staff/patients/{quillon}/messages", token=staff, body={"body": TEXTS[7]}, expect=201)
    tour.call("GET", f"/api/staff/patients/{quillon}/correspondence", token=staff)
    tour.call("GET", f"/api/staff/patients/{quillon}/audit", token=staff)

    tour.step("a change set applied: phone, zip and the email (guarded)")
    row = tour.queue_row(staff, made["demographics"])
    approval = {"fields": ["phone", "zip"], "mark_completed": False, "expected_version": row["version"]}
    tour.call("POST", f"/api/staff/queue/{made['demographics']}/changes", token=staff, body=approval, expect=200)
    row = tour.queue_row(staff, made["demographics"])
    approval = {
        "fields": ["email"],
        "confirm_email_change": True,
        "reason": TEXTS[9],
        "expected_version": row["version"],
    }
    tour.call("POST", f"/api/staff/queue/{made['demographics']}/changes", token=staff, body=approval)
    tour.mail_to(QUILLON.email, "changed")


def tour_demo_queue(tour: Tour, staff: str) -> None:
    tour.step("the demo queue: open every item, reply to a message, apply a change set, dismiss, restore")
    rows = tour.call("GET", "/api/staff/queue", token=staff, limit=200)["items"]
    for row in rows:
        tour.call("GET", f"/api/staff/queue/{row['request_id']}", token=staff)
    ava_message = next(row for row in rows if row["patient_id"] == "p-ava" and row["type"] == "message")
    body = {"body": TEXTS[6], "disposition": "completed", "expected_version": ava_message["version"]}
    tour.call("POST", f"/api/staff/queue/{ava_message['request_id']}/reply", token=staff, body=body)
    felix = next(row for row in rows if row["patient_id"] == "p-felix" and row["type"] == "demographics")
    tour.call("POST", f"/api/staff/queue/{felix['request_id']}/helper", token=staff)
    approval = {"fields": ["phone"], "expected_version": tour.queue_row(staff, felix["request_id"])["version"]}
    tour.call("POST", f"/api/staff/queue/{felix['request_id']}/changes", token=staff, body=approval)
    bruno = next(row for row in rows if row["patient_id"] == "p-bruno")
    tour.call("POST", f"/api/staff/queue/{bruno['request_id']}/helper", token=staff)
    body = {"outcome": "not_completed", "expected_version": tour.queue_row(staff, bruno["request_id"])["version"]}
    tour.call("POST", f"/api/staff/queue/{bruno['request_id']}/dismiss", token=staff, body=body)
    archived = tour.call("GET", "/api/staff/archive", token=staff, q="cetirizine")["items"][0]
    body = {"expected_version": archived["version"]}
    tour.call("POST", f"/api/staff/archive/{archived['request_id']}/restore", token=staff, body=body)
    tour.call("GET", "/api/staff/archive", token=staff, limit=200)


def tour_patients(tour: Tour, staff: str, quillon: str) -> None:
    tour.step("every demo patient's detail, correspondence and audit; searches in every form")
    for patient_id, *_ in demo_data.PATIENTS:
        tour.call("GET", f"/api/staff/patients/{patient_id}", token=staff)
        tour.call("GET", f"/api/staff/patients/{patient_id}/correspondence", token=staff)
    tour.call("GET", "/api/staff/patients/p-ava/audit", token=staff)
    for q in (
        "Varesko",
        "Varesko, Q",
        "Quillon Varesko",
        "7/23/1961",
        "07-23-1961",
        "Thompson, Ava",
        "1984-03-12",
        "fernandez",
    ):
        tour.call("GET", "/api/staff/patients", token=staff, q=q)
    tour.call("GET", "/api/staff/onboarding", token=staff, limit=200)
    tour.call("GET", "/api/staff/onboarding", token=staff, q="Drummelow", status="unactivated")
    tour.call("GET", "/api/staff/onboarding/counts", token=staff)
    tour.call("GET", "/api/staff/usernames/quillon.v", token=staff)

    tour.step("an email change by staff (guarded: refused, then confirmed); credentials set by hand")
    url = f"/api/staff/patients/{quillon}"
    tour.call("PATCH", url, token=staff, body={"email": QUILLON_NEW_EMAIL}, expect=422)
    time.sleep(1.1)  # revocations are by the second
    changed = {"email": QUILLON_NEW_EMAIL, "confirm_email_change": True, "reason": TEXTS[8]}
    tour.call("PATCH", url, token=staff, body=changed)
    tour.mail_to("quillon.changed@tour-phi.example", "changed")
    tour.call("PATCH", url, token=staff, body={"phone": QUILLON.phone, "first_name": QUILLON.first})
    tour.call(
        "PUT",
        "/api/staff/patients/p-ravi/credentials",
        token=staff,
        body={"username": "ravi.iyer", "password": PASSWORDS[1]},
    )
    tour.patient("ravi.iyer", PASSWORDS[1])

    tour.step("bad input carrying patient details: 400, 415, 422, 404")
    bad_claim = {**identity(QUILLON), "zip": "zqphi"}
    tour.call("POST", "/api/auth/claim", body=bad_claim, expect=422)
    bad_patient = {
        "first_name": QUILLON.first,
        "last_name": QUILLON.last,
        "date_of_birth": "1961-07-32",
        "email": "zqphi",
    }
    tour.call("POST", "/api/staff/patients", token=staff, body=bad_patient, expect=422)
    tour.call(
        "POST",
        "/api/staff/patients",
        token=staff,
        data=f'{{"first_name": "{QUILLON.first} {QUILLON.last}", '.encode(),
        headers={"Content-Type": "application/json"},
        expect=400,
    )
    tour.call(
        "POST",
        "/api/auth/register",
        data=f"{BRISENDA.first} {BRISENDA.last} {BRISENDA.born}".encode(),
        headers={"Content-Type": "text/plain"},
        expect=415,
    )
    tour.call("GET", "/api/staff/patients", token=staff, q="02/30/1961", expect=422)
    tour.call("PATCH", url, token=staff, body={"email": "zqphi-not-an-email", "confirm_email_change": True}, expect=422)
    tour.call("GET", "/api/staff/patients/p-nobody-zqphi", token=staff, expect=(404, 422))
    tour.call(
        "POST", "/api/auth/link/complete", body={"token": "zqphi" * 8, "password": PASSWORDS[0]}, expect=(410, 422)
    )
    tour.call("POST", "/api/auth/patient/login", body={"username": "quillon.v", "password": "wrong zqphi"}, expect=401)


def tour_staff_mfa(tour: Tour, admin: str) -> None:
    """An admin's reset of a member's second factor and their new enrolment; a new member's
    first sign-in (new password, then enrolment)."""
    tour.step("an admin resets a staff member's authenticator; the member enrols again")
    tour.call("POST", f"/api/staff/staff-members/{FRONTDESK.username}/mfa-reset", token=admin)
    tour.staff(FRONTDESK)
    # A wrong code, then the right one; a session Cognito does not know, which the auth function logs
    login = {"username": FRONTDESK.username, "password": FRONTDESK.password}
    challenge = tour.call("POST", "/api/auth/staff/login", body=login)
    step = {"username": FRONTDESK.username, "session": challenge["session"]}
    tour.call("POST", "/api/auth/staff/mfa/code", body={**step, "code": staff_mfa.wrong_code()}, expect=422)
    tour.call("POST", "/api/auth/staff/mfa/code", body={**step, "code": staff_mfa.code_now()})
    stale = {**step, "session": "0b5e7a1c-2f4d-4c8e-9a6b-3d2f1e0c9b8a" * 2, "code": staff_mfa.code_now()}
    tour.call("POST", "/api/auth/staff/mfa/code", body=stale, expect=(401, 422))

    tour.step("a new staff member's first sign-in: a new password, then the authenticator")
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=tour.portal.emulator_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    pools = cognito.list_user_pools(MaxResults=10)["UserPools"]
    staff_pool = next(
        pool["Id"]
        for pool in pools
        if any(group["GroupName"] == "admin" for group in cognito.list_groups(UserPoolId=pool["Id"])["Groups"])
    )
    cognito.admin_create_user(
        UserPoolId=staff_pool, Username="tour.staff", TemporaryPassword=PASSWORDS[4], MessageAction="SUPPRESS"
    )
    cognito.admin_add_user_to_group(UserPoolId=staff_pool, Username="tour.staff", GroupName="staff")
    token = tour.staff(("tour.staff", PASSWORDS[4]))
    tour.call("GET", "/api/staff/queue", token=token)


def tour_sessions(tour: Tour) -> None:
    tour.step("sessions: refresh and sign-out for a patient and staff; a password change")
    client = requests.Session()
    answer = client.post(
        f"{tour.url}/api/auth/patient/login", json={"username": "brisenda.m", "password": PASSWORDS[1]}, timeout=15
    )
    assert answer.status_code == 200, answer.text
    patient = answer.json()["access_token"]
    tour.access_tokens.add(patient)
    # The refresh cookie is Secure, which requests keeps off plain http: sent by hand.
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in client.cookies)
    tour.call("POST", "/api/auth/refresh", body={"account": "patient"}, headers={"Cookie": cookies})
    tour.call("POST", "/api/auth/logout", body={"account": "patient"}, headers={"Cookie": cookies})
    ottoline = tour.patient("ottoline.f", PASSWORDS[3])
    change = {"current_password": PASSWORDS[3], "new_password": PASSWORDS[0]}
    tour.call("POST", "/api/portal/password", token=ottoline, body=change)
    tour.call("GET", "/api/portal/me", token=ottoline, expect=(200, 401))
    tour.call("GET", "/api/public/practice")


def run_tour(portal: RunningPortal) -> Tour:
    tour = Tour(portal)
    tour.step("staff sign in with their authenticator")
    staff = tour.staff(FRONTDESK)
    admin = tour.staff(ADMIN)
    ids = tour_accounts(tour, staff, admin)
    tour_queue(tour, staff, ids["quillon"])
    tour_demo_queue(tour, staff)
    tour_patients(tour, staff, ids["quillon"])
    tour_staff_mfa(tour, admin)
    tour_sessions(tour)
    tour.step("every email delivered")
    portal.settled_mail(quiet=2.0)
    return tour


# --- The test ---------------------------------------------------------------------------


def test_the_matcher_sees_through_case_accents_and_escaping():
    needles = person_needles("Lucía", "Fernández", "1999-12-31", "lucia.fernandez@example.com", "(555) 010-0142")
    needles += content_needles("text", ["The rash is better, thank you."])
    hits = {
        '{"message": "patient Fern\\u00e1ndez"}': "name",
        "{'q': 'LUCIA'}": "name",
        '{"dob": "12/31/1999"}': "date of birth",
        "born Dec 31st, 1999": "date of birth",
        "datetime.date(1999, 12, 31)": "date of birth",
        "to=lucia.fernandez%40example.com": "email",
        "phone 555.010.0142": "phone",
        '"body": "the RASH is better,\\n thank you"': "text",
        "<p>The rash is better, thank&#x20;you.</p>": "text",
    }
    for line, kind in hits.items():
        assert kind in {finding.kind for finding in search("line", line, needles)}, line
    for line in ('{"level": "INFO", "message": "email sent", "template": "account_link"}', "19991231777", "luciano"):
        assert search("line", line, needles) == [], line


def test_no_phi_token_or_secret_reaches_a_log_line_or_an_email():
    portal = start_portal()
    try:
        tour = run_tour(portal)
        mailbox = portal.mail()
        emails = raw_emails(portal)
    finally:
        assert portal.stop() == 0, "".join(portal.output)
    time.sleep(0.3)  # the reader thread takes the last lines
    elapsed = time.monotonic() - tour.started

    # What is scanned is complete: the functions' lines are there, every email is there raw
    lines = function_output(portal.output)
    logged = [line for line in lines if line.startswith("{")]
    services = Counter(json.loads(line).get("function_name", "?") for line in logged if '"level"' in line)
    # The API functions log only what goes wrong; notify and jobs log every email and chunk
    assert {"NotifyFunction", "JobsFunction", "AuthFunction"} <= set(services), services
    assert any('"email sent"' in line for line in logged)
    assert len(emails) == len(mailbox) >= 15, (len(emails), len(mailbox))
    for sent in emails:
        to = [value for name, value in sent.headers if name.lower() == "to"]
        assert to == list(dict.fromkeys(sent.to)), (to, sent.to)  # the envelope address, and only it
        if ("From", COGNITO_SENDER) not in sent.headers:  # the portal's own emails, not Cognito's invitation
            assert {"text/plain", "text/html"} <= set(sent.parts), sent.parts.keys()
    assert any(("From", COGNITO_SENDER) in sent.headers for sent in emails)  # the first admin's, scanned too
    assert tour.tokens
    assert tour.secrets

    needles = demo_needles() + tour_needles() + secret_needles(tour.tokens, tour.secrets, tour.access_tokens)
    # The matcher finds what is there in this very output: the demo names in the banner kept
    # out of the scan, each recipient's address in its To: header, each token in its link
    kept = set(lines)
    banner = [line for line in portal.output if line.rstrip("\n") not in kept]
    assert {"name"} <= {found.kind for line in banner for found in search("banner", line, needles)}
    for sent in emails:
        if ("From", COGNITO_SENDER) in sent.headers:
            continue  # to the first administrator: a staff address, not a patient's
        to = next(value for name, value in sent.headers if name.lower() == "to")
        assert "email" in {found.kind for found in search("To", to, needles)}, to
    delivered = [token for sent in emails for token in TOKEN_IN_LINK.findall(sent.parts["text/plain"])]
    assert set(delivered) >= tour.tokens
    assert {"link token"} == {found.kind for token in delivered for found in search("link", token, needles)}
    findings = [
        finding for number, line in enumerate(lines, 1) for finding in search(f"log line {number}", line, needles)
    ]
    for sent in emails:
        findings += scan_email(sent, needles)
    # The mailbox's own view (subject, text and HTML) is scanned as well, the raw one above
    for sent in mailbox:
        for part in ("subject", "text", "html"):
            text = TOKEN_IN_LINK.sub("#token=(its link)", sent[part]) if part != "subject" else sent[part]
            findings += search(f"mailbox {sent['message_id']} {part}", text, needles)

    report = [
        (
            f"PHI scan: {len(tour.steps)} tour steps, {sum(tour.statuses.values())} requests "
            f"({dict(sorted(tour.statuses.items()))}), {len(lines)} log lines scanned "
            f"({len(logged)} JSON: {dict(services)}), {len(emails)} emails scanned "
            f"({len(tour.tokens)} link tokens, {len(needles)} patterns), {len(findings)} findings, {elapsed:.0f} s"
        ),
        *(f"  {found.where}: {found.kind} [{found.label}] ...{found.excerpt}..." for found in findings),
    ]
    print("\n" + "\n".join(report))  # noqa: T201 - the figures, for make phi-scan
    assert findings == [], f"{len(findings)} finding(s); the first: {findings[0]}"
