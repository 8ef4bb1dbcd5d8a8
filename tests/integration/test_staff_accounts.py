"""Staff accounts, managed by an administrator (docs/api.md "Staff: staff members"), in-process
under moto: the list with roles, authenticator apps, last sign-ins and accounts on or off; an
invitation Cognito emails; a role changed and an account turned off and on again, each audited
and taking effect on the member's next request; the last administrator kept; front desk refused."""

from __future__ import annotations

import re
import uuid
from typing import Any

import boto3
import pytest

from local import demo_data
from patientportal import clock
from patientportal.dal import administrators_lease, keys
from patientportal.dal.table import Table
from tests import staff_mfa
from tests.integration.conftest import post_auth, sent_emails
from tests.integration.test_staff_mfa import login_step, reset, staff_audit_entries

FRONTDESK, MANAGER = demo_data.STAFF_LOGINS
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")
LIST = "/api/staff/staff-members"
MEMBER = "/api/staff/staff-members/{username}"
NEW_PASSWORD = "silver canyon teapot forty"


def listed(call_patients, token: str, query: str = "") -> tuple[int, Any]:
    status, body, _ = call_patients("GET", LIST, query=query, token=token)
    return status, body


def by_name(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {member["username"]: member for member in page["items"]}


def invite(call_patients, token: str, **body: Any) -> tuple[int, Any]:
    status, answer, _ = call_patients("POST", LIST, body=body, token=token)
    return status, answer


def change(call_patients, token: str, username: str, **body: Any) -> tuple[int, Any]:
    status, answer, _ = call_patients(
        "PATCH",
        MEMBER.format(username=username),
        route=MEMBER,
        path_parameters={"username": username},
        body=body,
        token=token,
    )
    return status, answer


def invitation_of(username: str) -> dict[str, Any]:
    (email,) = [sent for sent in sent_emails() if f"Your username is {username} " in sent["text"]]
    return email


def first_sign_in(call_auth, username: str, temporary: str) -> str:
    """The invited member's first sign-in: a new password, then the authenticator app."""
    status, first, _ = login_step(call_auth, username, temporary)
    assert (status, first["challenge"]) == (200, "NEW_PASSWORD_REQUIRED"), first
    status, body, _ = call_auth(
        "POST",
        "/api/auth/staff/challenge",
        body={"username": username, "session": first["session"], "new_password": NEW_PASSWORD},
    )
    status, done = staff_mfa.finish(post_auth(call_auth), username, status, body)
    assert status == 200, done
    return str(done["access_token"])


def new_username() -> str:
    return f"nurse{uuid.uuid4().hex[:6]}"


def test_an_admin_lists_every_staff_account_with_role_app_last_sign_in_and_state(
    stack, people, call_patients, login, aws_calls
):
    frontdesk = login("staff", FRONTDESK.username, FRONTDESK.password)
    manager = login("staff", MANAGER.username, MANAGER.password)
    assert frontdesk

    aws_calls.reset()
    status, page = listed(call_patients, manager)
    assert status == 200, page
    # One page of the pool, its administrators, and what the portal keeps of each (plus the
    # caller's own sign-out check): nothing per member
    assert aws_calls.operations() == {"GetItem": 1, "ListUsers": 1, "ListUsersInGroup": 1, "BatchGetItem": 1}
    assert page["next_cursor"] is None
    members = by_name(page)
    assert [member["username"] for member in page["items"]] == sorted(members)  # by username
    assert set(members) == {"admin", FRONTDESK.username, MANAGER.username}
    assert members[FRONTDESK.username] | {"last_signed_in_at": None} == {
        "username": FRONTDESK.username,
        "email": f"{FRONTDESK.username}@riverbend-demo.example",
        "role": "front_desk",
        "enabled": True,
        "second_factor": True,
        "last_signed_in_at": None,
        "invited": False,
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", members[FRONTDESK.username]["last_signed_in_at"])
    assert members[MANAGER.username]["role"] == "administrator"
    assert members[MANAGER.username]["second_factor"] is True
    # The template's first administrator: invited, never signed in, no app yet
    assert members["admin"] | {"email": ""} == {
        "username": "admin",
        "email": "",
        "role": "administrator",
        "enabled": True,
        "second_factor": False,
        "last_signed_in_at": None,
        "invited": True,
    }

    # Paged by Cognito's pages: the cursor goes on where the page stopped, and only this list's
    status, first = listed(call_patients, manager, "limit=2")
    assert status == 200, first
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    status, rest = listed(call_patients, manager, f"limit=2&cursor={first['next_cursor']}")
    assert status == 200, rest
    assert rest["next_cursor"] is None
    assert {m["username"] for m in first["items"] + rest["items"]} == set(members)
    for cursor in ("bm90LW91cnM", "c3RhZmYtbWVtYmVyczpub25zZW5zZQ"):  # "not-ours", "staff-members:nonsense"
        status, refused = listed(call_patients, manager, f"limit=2&cursor={cursor}")
        assert (status, refused["error"]["field"]) == (400, "cursor"), refused
    for query, field in (("limit=61", "limit"), ("limit=0", "limit"), ("cursor=a%20b", "cursor")):
        status, refused = listed(call_patients, manager, query)
        assert (status, refused["error"]["field"]) == (422, field), refused


def test_an_invitation_is_cognitos_email_and_the_first_sign_in_sets_password_and_app(  # noqa: PLR0917 - fixtures
    stack, people, call_auth, call_patients, login, aws_calls
):
    manager = login("staff", MANAGER.username, MANAGER.password)
    username = new_username()
    aws_calls.reset()
    status, member = invite(call_patients, manager, username=username, email=f"{username}@example.com")
    assert status == 201, member
    assert aws_calls.operations() == {"GetItem": 1, "AdminCreateUser": 1, "AdminAddUserToGroup": 1, "PutItem": 1}
    (create,) = aws_calls.parameters_of("AdminCreateUser")
    assert create["DesiredDeliveryMediums"] == ["EMAIL"]
    assert "MessageAction" not in create  # Cognito sends the invitation
    assert "TemporaryPassword" not in create
    assert member == {
        "username": username,
        "email": f"{username}@example.com",
        "role": "front_desk",
        "enabled": True,
        "second_factor": False,
        "last_signed_in_at": None,
        "invited": True,
    }
    cognito = boto3.client("cognito-idp")
    groups = cognito.admin_list_groups_for_user(UserPoolId=stack.ref("StaffUserPool"), Username=username)["Groups"]
    assert {group["GroupName"] for group in groups} == {"staff"}

    # Audited on the member: who, what, whom, the role, when and the request
    (entry,) = staff_audit_entries(username)
    assert {key: entry[key] for key in ("actor", "action", "staff_username", "role")} == {
        "actor": MANAGER.username,
        "action": "staff_invite",
        "staff_username": username,
        "role": "front_desk",
    }
    assert entry["request_id"]

    # The invitation, in the template's words, to the address given
    email = invitation_of(username)
    assert email["to"] == [f"{username}@example.com"]
    temporary = re.search(r"temporary password is (\S+) \(", email["text"]).group(1)  # type: ignore[union-attr]

    # The first sign-in sets a password and the app; the list then says so
    token = first_sign_in(call_auth, username, temporary)
    assert call_patients("GET", "/api/staff/patients/p-ava", token=token)[0] == 200
    assert listed(call_patients, token)[0] == 403  # front desk: not their list
    status, page = listed(call_patients, manager)
    shown = by_name(page)[username]
    assert (shown["invited"], shown["second_factor"]) == (False, True)
    assert shown["last_signed_in_at"]

    # An administrator invited is in both groups; a username taken is a 409 (Cognito also takes
    # it in another case, as the pool's usernames are not case sensitive; moto does not)
    other = new_username()
    status, member = invite(call_patients, manager, username=other, email=f"{other}@example.com", role="administrator")
    assert (status, member["role"]) == (201, "administrator"), member
    groups = cognito.admin_list_groups_for_user(UserPoolId=stack.ref("StaffUserPool"), Username=other)["Groups"]
    assert {group["GroupName"] for group in groups} == {"staff", "admin"}
    status, refused = invite(call_patients, manager, username=username, email="someone@example.com")
    assert (status, refused["error"]["field"]) == (409, "username"), refused
    assert len(staff_audit_entries(username)) == 1


def test_bad_input_is_a_422_naming_the_field_and_creates_nobody(stack, people, call_patients, login, aws_calls):
    manager = login("staff", MANAGER.username, MANAGER.password)
    bad = [
        ({"email": "a@example.com"}, "username"),
        ({"username": "-dash", "email": "a@example.com"}, "username"),
        ({"username": "has space", "email": "a@example.com"}, "username"),
        ({"username": "x" * 129, "email": "a@example.com"}, "username"),
        ({"username": "nurse1", "email": "not an address"}, "email"),
        ({"username": "nurse1", "email": "a@example.com", "role": "admin"}, "role"),
        ({"username": "nurse1", "email": "a@example.com", "groups": ["admin"]}, "groups"),
    ]
    aws_calls.reset()
    for body, field in bad:
        status, refused = invite(call_patients, manager, **body)
        assert (status, refused["error"]["field"]) == (422, field), (body, refused)
    assert "AdminCreateUser" not in aws_calls.operations()

    for body, field in (({"role": "boss"}, "role"), ({"enabled": "no"}, "enabled"), ({"groups": []}, "groups")):
        status, refused = change(call_patients, manager, FRONTDESK.username, **body)
        assert (status, refused["error"]["field"]) == (422, field), (body, refused)
    # Naming no change changes nothing: the member as they are
    aws_calls.reset()
    status, member = change(call_patients, manager, FRONTDESK.username)
    assert (status, member["username"], member["enabled"]) == (200, FRONTDESK.username, True), member
    assert aws_calls.operations() == {"GetItem": 1, "AdminGetUser": 1, "ListUsersInGroup": 1, "BatchGetItem": 1}
    status, refused = change(call_patients, manager, "nobody-here", enabled=False)
    assert (status, refused["error"]["field"]) == (404, "username"), refused
    assert staff_audit_entries("nobody-here") == []


def test_a_role_change_takes_effect_on_the_next_request_and_is_audited(  # noqa: PLR0917 - fixtures
    stack, people, call_auth, call_queue, call_patients, login, aws_calls
):
    manager = login("staff", MANAGER.username, MANAGER.password)
    frontdesk = login("staff", FRONTDESK.username, FRONTDESK.password)
    assert listed(call_patients, frontdesk)[0] == 403

    aws_calls.reset()
    status, member = change(call_patients, manager, FRONTDESK.username, role="administrator")
    assert status == 200, member
    assert member["role"] == "administrator"
    assert aws_calls.operations() == {
        "GetItem": 1,  # the caller's sign-out check
        "AdminGetUser": 1,
        "ListUsersInGroup": 1,
        "AdminAddUserToGroup": 1,
        "AdminUserGlobalSignOut": 1,
        "UpdateItem": 1,  # the member's tokens until now refused
        "PutItem": 1,  # the audit entry
    }
    (entry,) = staff_audit_entries(FRONTDESK.username)
    assert (entry["actor"], entry["action"], entry["role"]) == (MANAGER.username, "staff_role_change", "administrator")

    # The token they hold is refused at once; the next sign-in carries the admin group
    assert call_queue("GET", "/api/staff/queue", token=frontdesk)[0] == 401
    promoted = login("staff", FRONTDESK.username, FRONTDESK.password)
    assert listed(call_patients, promoted)[0] == 200

    # And back: front desk again, from the next request on
    status, member = change(call_patients, manager, FRONTDESK.username, role="front_desk")
    assert (status, member["role"]) == (200, "front_desk"), member
    assert listed(call_patients, promoted)[0] == 401
    again = login("staff", FRONTDESK.username, FRONTDESK.password)
    status, refused = listed(call_patients, again)
    assert (status, refused["error"]["message"]) == (403, "This route is for practice administrators."), refused
    assert call_queue("GET", "/api/staff/queue", token=again)[0] == 200
    assert [e["role"] for e in staff_audit_entries(FRONTDESK.username)] == ["front_desk", "administrator"]

    # Asking for the role they already have changes nothing and signs nobody out (front desk
    # could have lost an administrator: the lease is taken and given back)
    aws_calls.reset()
    status, member = change(call_patients, manager, FRONTDESK.username, role="front_desk")
    assert (status, member["role"]) == (200, "front_desk"), member
    assert aws_calls.operations() == {
        "GetItem": 1,
        "AdminGetUser": 1,
        "UpdateItem": 2,
        "ListUsersInGroup": 1,
        "BatchGetItem": 1,
    }
    assert call_queue("GET", "/api/staff/queue", token=again)[0] == 200
    assert len(staff_audit_entries(FRONTDESK.username)) == 2


def test_a_disabled_account_is_signed_out_cannot_sign_in_and_can_be_turned_on_again(  # noqa: PLR0917 - fixtures
    stack, people, call_auth, call_queue, call_patients, login, aws_calls
):
    manager = login("staff", MANAGER.username, MANAGER.password)
    status, challenge, _ = login_step(call_auth, FRONTDESK.username, FRONTDESK.password)
    status, signed_in, raw = call_auth(
        "POST",
        "/api/auth/staff/mfa/code",
        body={"username": FRONTDESK.username, "session": challenge["session"], "code": staff_mfa.code_now()},
    )
    assert status == 200, signed_in
    cookie = next(c for c in raw["cookies"] if c.startswith("staff_refresh=")).split(";")[0]

    aws_calls.reset()
    status, member = change(call_patients, manager, FRONTDESK.username, enabled=False)
    assert status == 200, member
    assert member["enabled"] is False
    assert aws_calls.operations() == {
        "GetItem": 1,
        "AdminGetUser": 1,
        "UpdateItem": 3,  # the administrators' lease taken and given back; their tokens refused
        "ListUsersInGroup": 1,
        "AdminDisableUser": 1,
        "AdminUserGlobalSignOut": 1,
        "PutItem": 1,
    }
    (entry,) = staff_audit_entries(FRONTDESK.username)
    assert (entry["actor"], entry["action"], entry["staff_username"]) == (
        MANAGER.username,
        "staff_disable",
        FRONTDESK.username,
    )

    # Their token stops working at once, their session cannot be renewed, and they cannot sign in
    assert call_queue("GET", "/api/staff/queue", token=signed_in["access_token"])[0] == 401
    status, refused, _ = call_auth("POST", "/api/auth/refresh", body={"account": "staff"}, headers={"cookie": cookie})
    assert status == 401, refused
    status, refused, _ = login_step(call_auth, FRONTDESK.username, FRONTDESK.password)
    assert status == 401, refused
    assert by_name(listed(call_patients, manager)[1])[FRONTDESK.username]["enabled"] is False

    # On again: they sign in as before (their app is still theirs), and it is audited
    status, member = change(call_patients, manager, FRONTDESK.username, enabled=True)
    assert (status, member["enabled"]) == (200, True), member
    assert [e["action"] for e in staff_audit_entries(FRONTDESK.username)] == ["staff_enable", "staff_disable"]
    status, challenge, _ = login_step(call_auth, FRONTDESK.username, FRONTDESK.password)
    assert (status, challenge["challenge"]) == (200, "SOFTWARE_TOKEN_MFA"), challenge
    assert call_queue("GET", "/api/staff/queue", token=login("staff", FRONTDESK.username, FRONTDESK.password))[0] == 200


def test_the_last_enabled_administrator_can_be_neither_demoted_nor_turned_off(
    stack, people, call_patients, login, aws_calls
):
    manager = login("staff", MANAGER.username, MANAGER.password)
    # While the template's first administrator is on, the manager may step down; not once it is off
    status, member = change(call_patients, manager, "admin", enabled=False)
    assert (status, member["enabled"]) == (200, False), member

    for body, field in (({"role": "front_desk"}, "role"), ({"enabled": False}, "enabled")):
        aws_calls.reset()
        status, refused = change(call_patients, manager, MANAGER.username, **body)
        assert status == 409, refused
        assert refused["error"] == {
            "code": "conflict",
            "message": "manager is the last administrator whose account is on. Make another member of staff an "
            "administrator first, so that someone can still manage staff accounts.",
            "field": field,
        }
        # Nothing changed, nobody signed out, nothing audited (the lease was taken and given back)
        assert aws_calls.operations() == {"GetItem": 1, "AdminGetUser": 1, "UpdateItem": 2, "ListUsersInGroup": 1}
    assert staff_audit_entries(MANAGER.username) == []
    assert listed(call_patients, manager)[0] == 200

    # A disabled administrator does not count; with another enabled one, the manager may step down
    status, member = change(call_patients, manager, FRONTDESK.username, role="administrator")
    assert status == 200, member
    status, member = change(call_patients, manager, MANAGER.username, role="front_desk")
    assert (status, member["role"]) == (200, "front_desk"), member
    assert listed(call_patients, manager)[0] == 401  # their own change: from their next request


def test_changes_that_could_leave_no_administrator_are_made_one_at_a_time(stack, people, call_patients, login):
    manager = login("staff", MANAGER.username, MANAGER.password)
    table = Table()
    # Another such change holds the lease: this one is refused, changes nothing and leaves it
    administrators_lease.take("another-request", now=clock.epoch_seconds(), table=table)
    for body in ({"enabled": False}, {"role": "front_desk"}):
        status, refused = change(call_patients, manager, "admin", **body)
        assert (status, refused["error"]["message"]) == (409, administrators_lease.BUSY), refused
    assert table.get(keys.administrators_lease())["held_by"] == "another-request"  # type: ignore[index]
    assert staff_audit_entries("admin") == []
    # A change that cannot lose an administrator does not wait for it
    status, member = change(call_patients, manager, FRONTDESK.username, role="administrator")
    assert status == 200, member

    # A lease left behind by a function that stopped midway lapses; a change gives its own back
    table.update(keys.administrators_lease(), expression="SET held_until = :past", values={":past": 1})
    status, member = change(call_patients, manager, "admin", enabled=False)
    assert (status, member["enabled"]) == (200, False), member
    assert "held_until" not in table.get(keys.administrators_lease())  # type: ignore[operator]
    status, member = change(call_patients, manager, "admin", enabled=True)
    assert (status, member["enabled"]) == (200, True), member


def test_front_desk_and_patients_are_refused_every_staff_account_route(stack, people, call_auth, call_patients, login):
    frontdesk = login("staff", FRONTDESK.username, FRONTDESK.password)
    patient = login("patient", AVA.username, AVA.password)
    for token in (frontdesk, patient):
        status, refused = listed(call_patients, token)
        assert status == 403, refused
        status, refused = invite(call_patients, token, username="nurse1", email="nurse1@example.com")
        assert status == 403, refused
        status, refused = change(call_patients, token, MANAGER.username, enabled=False)
        assert status == 403, refused
        status, refused, _ = reset(call_patients, token, MANAGER.username)
        assert status == 403, refused
    assert staff_audit_entries(MANAGER.username) == []
    cognito = boto3.client("cognito-idp")
    assert cognito.admin_get_user(UserPoolId=stack.ref("StaffUserPool"), Username=MANAGER.username)["Enabled"] is True

    # Every route sits behind the staff pool's authorizer
    events = stack.template["Resources"]["PatientsFunction"]["Properties"]["Events"]
    for name, path, method in (
        ("ListStaffMembers", LIST, "GET"),
        ("InviteStaffMember", LIST, "POST"),
        ("ChangeStaffMember", MEMBER, "PATCH"),
    ):
        event = events[name]["Properties"]
        assert (event["Path"], event["Method"], event["Auth"]["Authorizer"]) == (path, method, "StaffAuthorizer")


def test_a_reset_app_shows_as_not_set_up_until_the_next_sign_in(stack, people, call_auth, call_patients, login):
    manager = login("staff", MANAGER.username, MANAGER.password)
    login("staff", FRONTDESK.username, FRONTDESK.password)
    assert by_name(listed(call_patients, manager)[1])[FRONTDESK.username]["second_factor"] is True
    status, answer, _ = reset(call_patients, manager, FRONTDESK.username)
    assert status == 200, answer
    shown = by_name(listed(call_patients, manager)[1])[FRONTDESK.username]
    assert (shown["second_factor"], shown["enabled"]) == (False, True)
    login("staff", FRONTDESK.username, FRONTDESK.password)  # enrols again on the way
    assert by_name(listed(call_patients, manager)[1])[FRONTDESK.username]["second_factor"] is True


@pytest.mark.parametrize("role", ["front_desk", "administrator"])
def test_a_member_invited_is_listed_at_once(stack, people, call_patients, login, role):
    manager = login("staff", MANAGER.username, MANAGER.password)
    username = new_username()
    assert invite(call_patients, manager, username=username, email=f"{username}@example.com", role=role)[0] == 201
    shown = by_name(listed(call_patients, manager)[1])[username]
    assert (shown["role"], shown["invited"], shown["last_signed_in_at"]) == (role, True, None)
