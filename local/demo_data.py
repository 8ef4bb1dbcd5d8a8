"""Demo data for the local runtime: invented people only, no real PHI anywhere.

Patients cover every portal status (inactive for each of its three reasons, unactivated,
active), two share one email address (and each other's details, so "Create my portal
account" asks them to call), one address bounced, one patient registered online but never
confirmed, and the queue holds open items of every type, message threads and archived items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from local import totp
from local.stack import aws_client
from patientportal import clock, ids, normalise
from patientportal.dal import keys
from patientportal.dal import practice as stored_practice
from patientportal.dal import sessions as stored_sessions
from patientportal.dal.messages import add_message
from patientportal.dal.patients import patient_item
from patientportal.dal.requests import add_request
from patientportal.dal.table import Table
from patientportal.logic.queue.requests import summarise
from patientportal.models.practice import SavedReply
from patientportal.models.records import MessageRecord, PatientRecord, RequestRecord
from patientportal.models.requests import (
    AppointmentRequest,
    DemographicsChanges,
    DemographicsRequest,
    MessageRequest,
    NewRequest,
    RecordsRequest,
    RefillRequest,
)


@dataclass(frozen=True)
class Login:
    who: str
    username: str
    password: str
    note: str
    groups: tuple[str, ...] = ()  # a member of staff's Cognito groups


STAFF_LOGINS = (
    Login("staff", "frontdesk", "Riverbend-frontdesk-2026", "front desk (group staff)", ("staff",)),
    Login("staff", "manager", "Riverbend-manager-2026", "administrator (groups admin, staff)", ("staff", "admin")),
)

SHARED_EMAIL = "okafor.family@example.com"

# An existing patient list to try the import with (docs/import.md): invented patients, some
# without an email or a zip, two sharing an address, and one already on file (Ava Thompson).
SAMPLE_IMPORT = Path(__file__).resolve().parents[1] / "docs" / "sample-import.csv"

# (id, first, last, birth date, email, zip, access on, username, password, has logged in)
PATIENTS: tuple[tuple[str, str, str, str, str, str, bool, str, str, bool], ...] = (
    (
        "p-ava",
        "Ava",
        "Thompson",
        "1984-03-12",
        "ava.thompson@example.com",
        "02139",
        True,
        "ava.thompson",
        "Ava-portal-demo-2026",
        True,
    ),
    (
        "p-maya",
        "Maya",
        "Okafor",
        "2009-06-01",
        SHARED_EMAIL,
        "02140",
        True,
        "maya.okafor",
        "Maya-portal-demo-2026",
        True,
    ),
    ("p-leo", "Leo", "Okafor", "2009-06-01", SHARED_EMAIL, "02140", True, "leo.okafor", "Leo-portal-demo-2026", True),
    (
        "p-bruno",
        "Bruno",
        "Salazar",
        "1958-11-23",
        "bruno.salazar@example.com",
        "02141",
        True,
        "bruno.s",
        "Bruno-portal-demo-2026",
        True,
    ),
    ("p-ines", "Inès", "Moreau", "1992-07-30", "ines.moreau@example.com", "02142-1011", True, "", "", False),
    ("p-tomasz", "Tomasz", "Nowak", "1975-02-14", "tomasz.nowak@example.com", "02143", True, "", "", False),
    ("p-grace", "Grace", "Lindqvist", "1966-09-09", "grace.lindqvist@example.com", "02144", True, "", "", False),
    ("p-omar", "Omar", "Haddad", "1989-12-02", "omar.haddad@example.com", "02145", False, "", "", False),
    ("p-sofia", "Sofia", "Rossi", "2001-04-18", "sofia.rossi@example.com", "02146", False, "", "", False),
    ("p-wei", "Wei", "Chen", "1979-08-25", "", "02147", True, "", "", False),
    ("p-noah", "Noah", "Fischer", "1995-05-05", "", "02148", True, "", "", False),
    ("p-amara", "Amara", "Diallo", "1987-10-10", "amara.diallo@example.com", "", True, "", "", False),
    ("p-elena", "Elena", "Petrova", "1970-01-27", "elena.petrova@example.com", "", True, "", "", False),
    (
        "p-kenji",
        "Kenji",
        "Watanabe",
        "1963-03-03",
        "kenji.watanabe@example.com",
        "02149",
        True,
        "kenji.w",
        "Kenji-portal-demo-2026",
        True,
    ),
    ("p-lucia", "Lucía", "Fernández", "1999-12-31", "lucia.fernandez@example.com", "02150", True, "", "", False),
    (
        "p-samuel",
        "Samuel",
        "Adeyemi",
        "1955-06-16",
        "samuel.adeyemi@example.com",
        "02151",
        True,
        "sam.adeyemi",
        "Samuel-portal-demo-2026",
        True,
    ),
    ("p-hannah", "Hannah", "Berg", "1981-11-11", "hannah.berg@example.com", "02152", False, "", "", False),
    ("p-ravi", "Ravi", "Iyer", "1990-02-28", "ravi.iyer@example.com", "02153", True, "", "", False),
    ("p-zoe", "Zoé", "Martin", "2004-08-08", "", "", False, "", "", False),
    (
        "p-felix",
        "Felix",
        "Andersson",
        "1972-04-04",
        "felix.andersson@example.com",
        "02154",
        True,
        "felix.a",
        "Felix-portal-demo-2026",
        True,
    ),
    ("p-nadia", "Nadia", "Karimi", "1986-09-19", "nadia.karimi@example.com", "02155", True, "", "", False),
    ("p-olu", "Olu", "Bankole", "1968-07-07", "olu.bankole@example.com", "02156", True, "", "", False),
    # Registered online with a username and password but never used the confirmation link.
    (
        "p-yusuf",
        "Yusuf",
        "Demir",
        "1997-03-21",
        "yusuf.demir@example.com",
        "02157",
        False,
        "yusuf.d",
        "Yusuf-portal-demo-2026",
        False,
    ),
)

# Accounts: email to this address bounced, shown beside the portal status.
UNDELIVERABLE = frozenset({"p-olu"})
REGISTERED_ONLINE = frozenset({"p-yusuf"})

PATIENT_LOGINS = tuple(
    Login("patient", username, password, f"{first} {last}")
    for (_, first, last, _, _, _, _, username, password, _) in PATIENTS
    if username and username in {"ava.thompson", "maya.okafor", "leo.okafor"}
)

OPEN_REQUESTS: tuple[tuple[str, NewRequest, int], ...] = (
    (
        "p-ava",
        RefillRequest(
            type="refill",
            medication="amoxicillin",
            dosage="500 mg",
            quantity="21 capsules",
            pharmacy="Riverside Pharmacy",
        ),
        26,
    ),
    (
        "p-bruno",
        RefillRequest(
            type="refill",
            medication="lisinopril",
            dosage="10 mg",
            quantity="90 tablets",
            pharmacy="Main Street Drugs",
            note="Running low.",
        ),
        20,
    ),
    (
        "p-kenji",
        AppointmentRequest(
            type="appointment",
            reason="Annual physical",
            preferred_times=["Tue morning", "Thu after 3 pm"],
            provider="Dr. Patel",
        ),
        14,
    ),
    (
        "p-maya",
        AppointmentRequest(type="appointment", reason="Sports form", preferred_times=["Any weekday after school"]),
        9,
    ),
    ("p-samuel", RecordsRequest(type="records", what="Immunisation record", period="All", delivery="portal"), 7),
    (
        "p-felix",
        DemographicsRequest(
            type="demographics",
            changes=DemographicsChanges(address="12 Harbor Lane", zip="02155", phone="(555) 010-0142"),
            note="We moved across town in March.",
        ),
        5,
    ),
    ("p-leo", MessageRequest(type="message", body="Is the clinic open on the holiday Monday?"), 3),
    ("p-ava", MessageRequest(type="message", body="The rash is better, thank you. Should I finish the cream?"), 1),
)

ARCHIVED_REQUESTS: tuple[tuple[str, NewRequest, int, str], ...] = (
    ("p-ava", RefillRequest(type="refill", medication="cetirizine", dosage="10 mg"), 300, "completed"),
    ("p-bruno", RefillRequest(type="refill", medication="atorvastatin", dosage="20 mg"), 280, "completed"),
    (
        "p-kenji",
        AppointmentRequest(type="appointment", reason="Knee pain", preferred_times=["Monday"]),
        250,
        "completed",
    ),
    ("p-samuel", RecordsRequest(type="records", what="Lab results", period="2025"), 200, "completed"),
    ("p-felix", MessageRequest(type="message", body="Thanks for the call yesterday."), 180, "completed"),
    (
        "p-maya",
        AppointmentRequest(type="appointment", reason="Flu shot", preferred_times=["Friday"]),
        150,
        "not_completed",
    ),
    ("p-leo", RefillRequest(type="refill", medication="albuterol inhaler", dosage="90 mcg"), 120, "completed"),
    (
        "p-ava",
        RecordsRequest(type="records", what="X-ray report", period="March", delivery="email"),
        90,
        "not_completed",
    ),
    (
        "p-bruno",
        DemographicsRequest(type="demographics", changes=DemographicsChanges(phone="(555) 010-0177")),
        60,
        "completed",
    ),
    ("p-kenji", MessageRequest(type="message", body="Can I get a copy of my invoice?"), 45, "completed"),
    ("p-samuel", RefillRequest(type="refill", medication="metformin", dosage="500 mg"), 30, "not_completed"),
    (
        "p-felix",
        AppointmentRequest(type="appointment", reason="Follow-up", preferred_times=["Wed noon"]),
        15,
        "completed",
    ),
)

PRACTICE_MESSAGES = (
    ("p-ava", "Your lab results are in and look normal. No action needed.", 40),
    ("p-ava", "Reminder: please bring your insurance card to your next visit.", 12),
    ("p-maya", "The sports form is ready to pick up at the front desk.", 8),
    ("p-bruno", "Dr. Patel would like to see you in three months.", 6),
)


def _ago(hours: int) -> str:
    return clock.timestamp(_moment(hours))


def _moment(hours: int) -> datetime:
    return clock.now() - timedelta(hours=hours)


def seed_staff(staff_pool_id: str) -> None:
    cognito = aws_client("cognito-idp")
    # The template's first administrator, "admin", is not among them: it has its invitation
    # in the mailbox and signs in as on AWS (temporary password, new password, app).
    for login in STAFF_LOGINS:
        cognito.admin_create_user(
            UserPoolId=staff_pool_id,
            Username=login.username,
            UserAttributes=[{"Name": "email", "Value": f"{login.username}@riverbend-demo.example"}],
            MessageAction="SUPPRESS",
        )
        for group in login.groups:
            cognito.admin_add_user_to_group(UserPoolId=staff_pool_id, Username=login.username, GroupName=group)
        cognito.admin_set_user_password(
            UserPoolId=staff_pool_id, Username=login.username, Password=login.password, Permanent=True
        )
        enrol_authenticator(staff_pool_id, login.username, login.password)


def enrol_authenticator(staff_pool_id: str, username: str, password: str) -> None:
    """The demo staff come with their authenticator app enrolled (the emulator's one secret,
    ``local.totp``), so every sign-in asks for the code ``/_dev/totp`` shows: as a staff
    member's every sign-in after the first. Enrolling is the same sign-in a person makes."""
    cognito = aws_client("cognito-idp")
    clients = cognito.list_user_pool_clients(UserPoolId=staff_pool_id, MaxResults=10)["UserPoolClients"]
    client_id = clients[0]["ClientId"]
    answer = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
    )
    if answer.get("ChallengeName") != "MFA_SETUP":
        return  # enrolled already
    session = cognito.associate_software_token(Session=answer["Session"])["Session"]
    verified = cognito.verify_software_token(Session=session, UserCode=totp.fresh_code(), FriendlyDeviceName="Demo")
    session = verified["Session"]
    cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="MFA_SETUP", Session=session, ChallengeResponses={"USERNAME": username}
    )


def seed_patients(table: Table, patient_pool_id: str) -> dict[str, PatientRecord]:
    cognito = aws_client("cognito-idp")
    records = {}
    for patient_id, first, last, born, email, zip_code, access, username, password, logged_in in PATIENTS:
        record = PatientRecord(
            patient_id=patient_id,
            first_name=first,
            last_name=last,
            date_of_birth=born,
            email=email,
            zip=zip_code,
            portal_access_enabled=access,
            username=username,
            first_login_at=_ago(24 * 90) if logged_in else "",
            last_login_at=_ago(24 * 2) if logged_in else "",
            created_at=_ago(24 * 400),
            email_undeliverable=patient_id in UNDELIVERABLE,
            registered_online=patient_id in REGISTERED_ONLINE,
        )
        table.put(patient_item(record, normalise.email(email)))
        if username:
            table.put({**keys.username(username), "kind": "username", "patient_id": patient_id})
            cognito.admin_create_user(
                UserPoolId=patient_pool_id,
                Username=patient_id,
                UserAttributes=[{"Name": "custom:patient_id", "Value": patient_id}],
                MessageAction="SUPPRESS",
            )
            cognito.admin_set_user_password(
                UserPoolId=patient_pool_id, Username=patient_id, Password=password, Permanent=True
            )
        records[patient_id] = record
    return records


def _request(
    patient: PatientRecord, request: NewRequest, hours_ago: int, state: str
) -> tuple[RequestRecord, MessageRecord | None]:
    created_at = _ago(hours_ago)
    request_id = f"demo-{patient.patient_id[2:]}-{hours_ago}"
    record = RequestRecord(
        request_id=request_id,
        patient_id=patient.patient_id,
        patient_name=patient.display_name,
        patient_date_of_birth=patient.date_of_birth,
        type=request.type,
        state=state,
        summary=summarise(request),
        details=request.model_dump(exclude={"type"}, exclude_none=True),
        created_at=created_at,
    )
    message = None
    if isinstance(request, MessageRequest):
        message = MessageRecord(
            message_id=ids.time_ordered_id(_moment(hours_ago)),
            patient_id=patient.patient_id,
            author="patient",
            author_id=patient.patient_id,
            body=request.body,
            created_at=created_at,
            request_id=request_id,
        )
    return record, message


def seed_requests(table: Table, patients: dict[str, PatientRecord]) -> None:
    for patient_id, request, hours_ago in OPEN_REQUESTS:
        add_request(*_request(patients[patient_id], request, hours_ago, "open"), table=table)
    for patient_id, request, hours_ago, outcome in ARCHIVED_REQUESTS:
        add_request(*_request(patients[patient_id], request, hours_ago, outcome), table=table)
    for patient_id, body, hours_ago in PRACTICE_MESSAGES:
        message = MessageRecord(
            message_id=ids.time_ordered_id(_moment(hours_ago)),
            patient_id=patient_id,
            author="practice",
            author_id="frontdesk",
            body=body,
            created_at=_ago(hours_ago),
        )
        add_message(message, None, 0, table=table)


def seed_staff_sign_ins(table: Table) -> None:
    """The demo staff have signed in before (seeding enrolled their apps): what the staff
    accounts page shows as their last sign-in, as a sign-in records it."""
    for hours, login in enumerate(STAFF_LOGINS, start=1):
        stored_sessions.record_staff_sign_in(login.username, _ago(hours), table=table)


# The practice's saved replies, as an administrator keeps them on the practice settings page.
SAVED_REPLIES = (
    (
        "Refill sent to the pharmacy",
        "Hello {first_name}, your refill has been sent to your pharmacy.\n\n{practice_name}",
    ),
    (
        "Appointment booked",
        "Hello {first_name}, your appointment is booked. Please bring your insurance card.\n\n{practice_name}",
    ),
)


def seed_saved_replies(table: Table) -> None:
    for number, (title, text) in enumerate(SAVED_REPLIES):
        moment = _moment(30 * 24 - number)  # a month ago, in the order listed
        reply = SavedReply(
            reply_id=ids.time_ordered_id(moment),
            title=title,
            text=text,
            version=1,
            changed_by="manager",
            changed_at=clock.timestamp(moment),
        )
        table.put(stored_practice.reply_item(reply))
    table.put({**keys.saved_reply_count(), "replies": len(SAVED_REPLIES)})


def seed(*, table_name: str, staff_pool_id: str, patient_pool_id: str) -> None:
    table = Table(table_name)
    seed_staff(staff_pool_id)
    seed_staff_sign_ins(table)
    patients = seed_patients(table, patient_pool_id)
    seed_requests(table, patients)
    seed_saved_replies(table)
