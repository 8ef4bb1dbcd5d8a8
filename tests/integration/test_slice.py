"""The foundation's thin slice, with the handlers called in-process under moto: a patient
submits a refill, staff see it in the queue, staff send a secure message, and the email
goes out through outbox -> stream -> notify -> SES. Each route's AWS work is counted."""

from __future__ import annotations

from functions.notify import app as notify
from local import demo_data
from local.functions import LambdaContext
from patientportal.dal import keys
from patientportal.dal.table import Table
from tests.integration.conftest import outbox_stream_records, sent_emails

AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")
FRONTDESK = demo_data.STAFF_LOGINS[0]
REFILL = {"type": "refill", "medication": "amoxicillin", "dosage": "500 mg", "quantity": "21", "pharmacy": "Riverside"}


def test_refill_reaches_the_queue_with_the_patients_name(demo, login, call_portal, call_queue, aws_calls):
    # Given a signed-in demo patient and a signed-in front desk
    patient = login("patient", AVA.username, AVA.password)
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)
    aws_calls.reset()

    # When the patient submits a refill request
    status, submitted, _ = call_portal("POST", "/api/portal/requests", body=REFILL, token=patient)

    # Then it is stored with one access check, one read of the office hours (the answer's
    # next_read_at) and one write
    assert status == 201, submitted
    assert submitted["summary"] == "Refill: amoxicillin 500 mg"
    assert aws_calls.operations() == {"GetItem": 2, "PutItem": 1}

    # And the newest item of the queue is that request, with the patient's name and birth date
    aws_calls.reset()
    status, page, _ = call_queue("GET", "/api/staff/queue", query="order=newest&limit=5", token=staff)
    assert status == 200, page
    first = page["items"][0]
    assert (first["request_id"], first["patient_name"], first["patient_date_of_birth"]) == (
        submitted["request_id"],
        "Ava Thompson",
        "1984-03-12",
    )
    # And the page cost one Query reading at most limit + 1 items, and one write recording whom
    # it showed (besides the staff sign-out check, decision 40, the practice's settings and the
    # overdue count, which returns no item)
    assert aws_calls.operations() == {"GetItem": 2, "Query": 2, "PutItem": 1}
    assert aws_calls.items_read["Query"] <= 6


def test_queue_pages_follow_the_cursor_without_repeating(demo, login, call_queue, aws_calls):
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)
    seen: list[str] = []
    arrived: list[str] = []
    cursor = None
    aws_calls.reset()
    pages = 0
    while True:
        query = "limit=3" + (f"&cursor={cursor}" if cursor else "")
        status, page, _ = call_queue("GET", "/api/staff/queue", query=query, token=staff)
        assert status == 200, page
        seen += [item["request_id"] for item in page["items"]]
        arrived += [item["created_at"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    open_count = len(demo_data.OPEN_REQUESTS)
    assert len(seen) == len(set(seen)) == open_count
    assert pages == -(-open_count // 3)
    # a Query and the write of whom it showed a page (and the staff sign-out check, decision 40,
    # and the practice's settings); the overdue count on the first page only
    assert aws_calls.operations() == {"GetItem": 2 * pages, "Query": pages + 1, "PutItem": pages}
    assert arrived == sorted(arrived)  # oldest first, the default order


def test_queue_filters_by_type_through_its_own_index(demo, login, call_queue, aws_calls):
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)
    aws_calls.reset()
    status, page, _ = call_queue("GET", "/api/staff/queue", query="type=refill", token=staff)
    assert status == 200
    assert {item["type"] for item in page["items"]} == {"refill"}
    assert len(page["items"]) == sum(1 for _, request, _ in demo_data.OPEN_REQUESTS if request.type == "refill")
    assert aws_calls.operations() == {"GetItem": 2, "Query": 2, "PutItem": 1}
    assert aws_calls.items_read["Query"] == len(page["items"])


def test_staff_message_emails_the_patient_once_and_without_phi(demo, login, call_patients, deliver_outbox, aws_calls):
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)
    deliver_outbox()  # nothing before this test's message
    aws_calls.reset()

    # When staff send a secure message with notification on (the default)
    body = "Your amoxicillin prescription is ready at Riverside."
    status, message, _ = call_patients(
        "POST",
        "/api/staff/patients/p-ava/messages",
        route="/api/staff/patients/{patient_id}/messages",
        path_parameters={"patient_id": "p-ava"},
        body={"body": body},
        token=staff,
    )

    # Then the message, its outbox entry and its audit entry are one transaction after one read
    assert status == 201, message
    assert aws_calls.operations() == {"GetItem": 2, "TransactWriteItems": 1}  # with the staff member's sign-out check

    # And the stream hands the outbox entry to notify, which sends exactly one email
    result = deliver_outbox()
    assert result == {"batchItemFailures": [], "delivered": 1}
    emails = sent_emails()
    assert len(emails) == 1
    sent = emails[0]
    assert sent["to"] == ["ava.thompson@example.com"]
    assert "http://portal.test/portal/" in sent["text"]
    for phi in ("Ava", "Thompson", "1984", "amoxicillin", "Riverside", body):
        assert phi not in sent["subject"] + sent["text"] + sent["html"]

    # And a redelivery of the same stream record sends nothing more
    assert deliver_outbox()["delivered"] == 0
    assert len(sent_emails()) == 1


def test_redelivered_outbox_entry_is_sent_once(demo, login, call_patients, stack):
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)
    call_patients(
        "POST",
        "/api/staff/patients/p-ava/messages",
        route="/api/staff/patients/{patient_id}/messages",
        path_parameters={"patient_id": "p-ava"},
        body={"body": "Hello"},
        token=staff,
    )
    outbox = outbox_stream_records(stack)
    assert len(outbox) == 1

    # Lambda may deliver the same record again (a retry after a timeout): one email only
    for _ in range(3):
        assert notify.handler({"Records": outbox}, LambdaContext(function_name="notify")) == {"batchItemFailures": []}
    assert len(sent_emails()) == 1


def test_patient_sign_in_records_the_login_and_costs_its_budget(demo, call_auth, aws_calls):
    status, body, answer = call_auth(
        "POST", "/api/auth/patient/login", body={"username": "AVA.Thompson", "password": AVA.password}
    )
    assert status == 200, body
    assert any(cookie.startswith("portal_refresh=") for cookie in answer["cookies"])
    # username lookup, Cognito, the patient's access flag, the login times, the session
    assert aws_calls.operations() == {"GetItem": 2, "InitiateAuth": 1, "UpdateItem": 1, "PutItem": 1}


def test_staff_reading_a_patient_is_audited(demo, login, call_patients, stack, aws_calls):
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)
    aws_calls.reset()
    status, patient, _ = call_patients(
        "GET",
        "/api/staff/patients/p-wei",
        route="/api/staff/patients/{patient_id}",
        path_parameters={"patient_id": "p-wei"},
        token=staff,
    )
    assert status == 200
    assert patient["portal_status"]["status"] == "inactive"
    assert [reason["reason"] for reason in patient["portal_status"]["reasons"]] == ["no_email"]
    assert aws_calls.operations() == {"GetItem": 2, "PutItem": 1}  # with the staff member's sign-out check
    table = Table(stack.ref("PortalTable"))
    audit, _ = table.query_page(partition=("pk", "PATIENT#p-wei"), sort_prefix=("sk", "AUDIT#"), limit=10)
    assert [(entry["actor"], entry["action"]) for entry in audit] == [("frontdesk", "view_patient")]


def test_patient_tokens_cannot_use_staff_routes_even_in_process(demo, login, call_queue):
    patient = login("patient", AVA.username, AVA.password)
    status, body, _ = call_queue("GET", "/api/staff/queue", token=patient)
    assert status == 403
    assert body["error"]["code"] == "forbidden"


def test_a_patient_whose_access_was_turned_off_is_refused_on_the_next_request(demo, login, call_portal, stack):
    patient = login("patient", AVA.username, AVA.password)
    assert call_portal("GET", "/api/portal/me", token=patient)[0] == 200
    Table(stack.ref("PortalTable")).update(
        keys.patient("p-ava"), expression="SET portal_access_enabled = :off", values={":off": False}
    )
    status, body, _ = call_portal("GET", "/api/portal/me", token=patient)
    assert status == 401
    assert "Ava" not in str(body)


def test_a_message_to_an_unknown_patient_is_404_and_writes_nothing(demo, login, call_patients, aws_calls):
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)
    aws_calls.reset()
    status, body, _ = call_patients(
        "POST",
        "/api/staff/patients/p-nobody/messages",
        route="/api/staff/patients/{patient_id}/messages",
        path_parameters={"patient_id": "p-nobody"},
        body={"body": "hello"},
        token=staff,
    )
    assert status == 404, body
    assert aws_calls.operations() == {"GetItem": 2}  # with the staff member's sign-out check


def test_correspondence_and_audit_trail_list_newest_first_and_are_audited(demo, login, call_patients, aws_calls):
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)

    def get(what: str) -> tuple[int, dict]:
        status, body, _ = call_patients(
            "GET",
            f"/api/staff/patients/p-ava/{what}",
            route=f"/api/staff/patients/{{patient_id}}/{what}",
            path_parameters={"patient_id": "p-ava"},
            token=staff,
        )
        return status, body

    aws_calls.reset()
    status, letters = get("correspondence")
    assert status == 200
    # the patient existence check, one Query, one audit entry
    assert aws_calls.operations() == {"GetItem": 2, "Query": 1, "PutItem": 1}  # with the staff member's sign-out check
    created = [message["created_at"] for message in letters["items"]]
    assert created == sorted(created, reverse=True)
    assert {message["author"] for message in letters["items"]} == {"patient", "practice"}

    status, trail = get("audit")
    assert status == 200
    assert [entry["action"] for entry in trail["items"]] == ["view_correspondence"]
    status, trail = get("audit")
    assert [entry["action"] for entry in trail["items"]] == ["view_audit", "view_correspondence"]
    assert {entry["actor"] for entry in trail["items"]} == {"frontdesk"}
