"""Patients' secure messages: sending (a queue item of type message), reading, the unread
count, and never another patient's messages."""

from __future__ import annotations

from local import demo_data

AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")
LEO = next(login for login in demo_data.PATIENT_LOGINS if login.username == "leo.okafor")
FRONTDESK = demo_data.STAFF_LOGINS[0]


def read_route(message_id: str) -> dict:
    return {"route": "/api/portal/messages/{message_id}/read", "path_parameters": {"message_id": message_id}}


def test_the_inbox_is_newest_first_with_the_unread_count_and_reading_lowers_it(demo, login, call_portal, aws_calls):
    patient = login("patient", AVA.username, AVA.password)
    aws_calls.reset()
    status, inbox, _ = call_portal("GET", "/api/portal/messages", token=patient)
    assert status == 200
    assert aws_calls.operations() == {"GetItem": 1, "Query": 1}  # the access check, one page
    created = [message["created_at"] for message in inbox["items"]]
    assert created == sorted(created, reverse=True)
    unread = [message for message in inbox["items"] if not message["read"]]
    assert inbox["unread_count"] == len(unread) == 2

    message_id = unread[0]["message_id"]
    status, receipt, _ = call_portal(
        "POST", f"/api/portal/messages/{message_id}/read", token=patient, **read_route(message_id)
    )
    assert status == 200, receipt
    assert receipt["unread_count"] == 1
    # reading it again changes nothing
    status, receipt, _ = call_portal(
        "POST", f"/api/portal/messages/{message_id}/read", token=patient, **read_route(message_id)
    )
    assert receipt["unread_count"] == 1
    assert call_portal("GET", "/api/portal/me", token=patient)[1]["unread_messages"] == 1


def test_a_patient_message_becomes_a_queue_item_of_type_message(demo, login, call_portal, call_queue):
    patient = login("patient", AVA.username, AVA.password)
    inbox = call_portal("GET", "/api/portal/messages", token=patient)[1]
    ours = next(message for message in inbox["items"] if message["author"] == "practice")
    status, sent, _ = call_portal(
        "POST",
        "/api/portal/messages",
        body={"body": "Thanks, see you Tuesday.", "in_reply_to": ours["message_id"]},
        token=patient,
    )
    assert status == 201, sent
    assert sent["in_reply_to"] == ours["message_id"]
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)
    page = call_queue("GET", "/api/staff/queue", query="type=message&order=newest&limit=1", token=staff)[1]
    item = page["items"][0]
    assert (item["type"], item["patient_name"], item["request_id"]) == ("message", "Ava Thompson", sent["request_id"])
    detail = call_queue(
        "GET",
        f"/api/staff/queue/{item['request_id']}",
        route="/api/staff/queue/{request_id}",
        path_parameters={"request_id": item["request_id"]},
        token=staff,
    )[1]
    assert [message["body"] for message in detail["thread"]] == ["Thanks, see you Tuesday."]
    assert detail["details"]["in_reply_to"] == ours["message_id"]


def test_another_patients_message_ids_are_404_and_reveal_nothing(demo, login, call_portal):
    ava = login("patient", AVA.username, AVA.password)
    leo = login("patient", LEO.username, LEO.password)
    avas_message = call_portal("GET", "/api/portal/messages", token=ava)[1]["items"][0]["message_id"]
    status, answer, _ = call_portal(
        "POST", f"/api/portal/messages/{avas_message}/read", token=leo, **read_route(avas_message)
    )
    assert status == 404
    assert "Ava" not in str(answer)
    status, answer, _ = call_portal(
        "POST", "/api/portal/messages", body={"body": "hi", "in_reply_to": avas_message}, token=leo
    )
    assert status == 404
    # and Leo's own lists hold nothing of Ava's
    leos = call_portal("GET", "/api/portal/messages", token=leo)[1]["items"]
    assert avas_message not in [message["message_id"] for message in leos]
    requests = call_portal("GET", "/api/portal/requests", token=leo)[1]["items"]
    assert all("Ava" not in str(request) for request in requests)


def test_forged_body_fields_cannot_choose_the_patient(demo, login, call_portal):
    leo = login("patient", LEO.username, LEO.password)
    status, answer, _ = call_portal(
        "POST", "/api/portal/messages", body={"body": "hi", "patient_id": "p-ava"}, token=leo
    )
    assert status == 422
    assert answer["error"]["field"] == "patient_id"
    status, answer, _ = call_portal(
        "POST", "/api/portal/requests", body={"type": "records", "what": "all", "patient_id": "p-ava"}, token=leo
    )
    assert status == 422


def test_a_request_to_update_details_must_say_what_changes(demo, login, call_portal):
    patient = login("patient", AVA.username, AVA.password)
    for changes in ({}, {"phone": None}, {"phone": ""}):
        status, answer, _ = call_portal(
            "POST", "/api/portal/requests", body={"type": "demographics", "changes": changes}, token=patient
        )
        assert status == 422, answer
        assert answer["error"]["field"].endswith("changes"), answer
    status, answer, _ = call_portal(
        "POST",
        "/api/portal/requests",
        body={"type": "demographics", "changes": {"phone": "617-555-0100"}},
        token=patient,
    )
    assert status == 201, answer


def test_changing_the_password_needs_the_current_one_and_ends_every_session(demo, login, call_portal, call_auth):
    patient = login("patient", AVA.username, AVA.password)
    status, answer, _ = call_portal(
        "POST",
        "/api/portal/password",
        body={"current_password": "not-it-at-all", "new_password": "amber window cactus lake"},
        token=patient,
    )
    assert (status, answer["error"]["field"]) == (422, "current_password")
    status, answer, _ = call_portal(
        "POST",
        "/api/portal/password",
        body={"current_password": AVA.password, "new_password": "password1234"},
        token=patient,
    )
    assert (status, answer["error"]["field"]) == (422, "new_password")  # the field the patient typed it in
    status, answer, _ = call_portal(
        "POST",
        "/api/portal/password",
        body={"current_password": AVA.password, "new_password": "amber window cactus lake"},
        token=patient,
    )
    assert status == 200, answer
    # the token used for the change no longer works; the new password does
    assert call_portal("GET", "/api/portal/me", token=patient)[0] == 401
    assert login("patient", AVA.username, "amber window cactus lake")
