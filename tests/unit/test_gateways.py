"""The AWS gateways' own rules, each against a fake client (no emulator): what EventBridge's
and Cognito's answers and errors become, that a write is worded the same alone and in a
transaction, and how batches retry what DynamoDB hands back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from patientportal import aws, events
from patientportal.auth import cognito
from patientportal.dal import batches
from patientportal.dal.table import Table
from patientportal.errors import ConflictError, NotFoundError, UnavailableError
from patientportal.settings import Settings


class FakeClient:
    """Answers each named operation with the next of its answers (an exception is raised)."""

    def __init__(self, **answers: list[Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, operation: str) -> Any:
        def call(**arguments: Any) -> Any:
            self.calls.append((operation, arguments))
            answer = self.answers[operation].pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer

        return call


def error(code: str, operation: str = "Operation") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, operation)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Install a fake as every AWS client: ``client(**answers)``."""

    def install(**answers: list[Any]) -> FakeClient:
        fake = FakeClient(**answers)
        monkeypatch.setattr(aws, "_client", lambda _: fake)
        return fake

    return install


EVENT = events.Event(source="patient-portal.queue", detail_type="Helper action", detail={"b": "2", "a": "1"})


def test_an_event_goes_to_the_configured_bus_as_json_in_the_order_given(monkeypatch, client):
    settings = Settings(table_name="t", practice_name="p", event_bus_name="portal-bus")
    monkeypatch.setattr(events, "get_settings", lambda: settings)
    fake = client(put_events=[{"FailedEntryCount": 0, "Entries": [{"EventId": "e-1"}]}])
    assert events.publish(EVENT) is True
    [(operation, arguments)] = fake.calls
    assert operation == "put_events"
    assert arguments == {
        "Entries": [
            {
                "Source": "patient-portal.queue",
                "DetailType": "Helper action",
                "Detail": json.dumps({"b": "2", "a": "1"}),
                "EventBusName": "portal-bus",
            }
        ]
    }


def test_without_a_bus_the_default_one_is_used_and_a_refused_entry_is_false(monkeypatch, client):
    monkeypatch.setattr(events, "get_settings", lambda: Settings(table_name="t", practice_name="p"))
    fake = client(put_events=[{"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure"}]}])
    assert events.publish(EVENT) is False
    assert fake.calls[0][1]["Entries"][0]["EventBusName"] == "default"


@pytest.mark.parametrize("failure", [error("AccessDeniedException"), EndpointConnectionError(endpoint_url="x")])
def test_a_call_that_fails_is_a_publish_error_and_never_a_botocore_one(monkeypatch, client, failure):
    monkeypatch.setattr(events, "get_settings", lambda: Settings(table_name="t", practice_name="p"))
    client(put_events=[failure])
    with pytest.raises(events.PublishError) as refused:
        events.publish(EVENT)
    assert refused.value.__cause__ is failure


def test_cognitos_tokens_and_challenges_become_answers(client):
    client(
        initiate_auth=[
            {"AuthenticationResult": {"AccessToken": "a", "ExpiresIn": 300, "RefreshToken": "r"}},
            {"ChallengeName": "MFA_SETUP", "Session": "s", "ChallengeParameters": {}},
            {"AuthenticationResult": {"AccessToken": "a2"}},
        ]
    )
    assert cognito.authenticate("app", "u", "pw") == cognito.Answer(access_token="a", expires_in=300, refresh_token="r")
    assert cognito.authenticate("app", "u", "pw") == cognito.Answer(challenge="MFA_SETUP", session="s")
    # A refresh answers no new refresh token, and Cognito's default lifetime holds
    assert cognito.renew("app", "r") == cognito.Answer(access_token="a2", expires_in=900)


def test_cognitos_refusals_are_refused_errors_with_its_code(client):
    fake = client(
        initiate_auth=[error("NotAuthorizedException")], revoke_token=[error("UnsupportedTokenTypeException")]
    )
    with pytest.raises(cognito.RefusedError) as refused:
        cognito.authenticate("app", "u", "wrong")
    assert refused.value.code == "NotAuthorizedException"
    with pytest.raises(cognito.RefusedError):
        cognito.revoke("app", "r")
    assert fake.calls[1] == ("revoke_token", {"Token": "r", "ClientId": "app"})


@pytest.mark.parametrize(
    ("code", "refusal"),
    [
        ("CodeMismatchException", cognito.WrongCodeError),
        ("EnableSoftwareTokenMFAException", cognito.WrongCodeError),
        ("NotAuthorizedException", cognito.StepExpiredError),
        ("ExpiredCodeException", cognito.StepExpiredError),
    ],
)
def test_a_second_factor_refusal_is_a_wrong_code_or_a_lost_step(client, code, refusal):
    client(verify_software_token=[error(code)])
    with pytest.raises(refusal):
        cognito.verify("session-1", "123456")


def test_a_code_cognito_does_not_confirm_is_a_wrong_code_and_a_new_session_is_handed_on(client):
    client(verify_software_token=[{"Status": "ERROR"}, {"Status": "SUCCESS", "Session": "next"}, {"Status": "SUCCESS"}])
    with pytest.raises(cognito.WrongCodeError):
        cognito.verify("s", "123456")
    assert cognito.verify("s", "123456") == "next"
    assert cognito.verify("s", "123456") == "s"


@pytest.mark.parametrize(
    ("code", "domain_error"), [("UserNotFoundException", NotFoundError), ("UserNotConfirmedException", ConflictError)]
)
def test_resetting_an_unknown_or_unconfirmed_members_app_is_a_domain_error(monkeypatch, client, code, domain_error):
    monkeypatch.setattr(cognito, "get_settings", lambda: Settings(table_name="t", practice_name="p"))
    client(admin_set_user_mfa_preference=[error(code)])
    with pytest.raises(domain_error) as refused:
        cognito.reset_second_factor("front.desk")
    assert refused.value.field == "username"


def test_a_patient_without_a_cognito_user_gets_one_when_a_password_is_first_set(monkeypatch, client):
    monkeypatch.setattr(
        cognito, "get_settings", lambda: Settings(table_name="t", practice_name="p", patient_user_pool_id="pool")
    )
    fake = client(
        admin_set_user_password=[error("UserNotFoundException"), {}],
        admin_create_user=[{}],
        admin_user_global_sign_out=[error("UserNotFoundException")],
    )
    cognito.set_patient_password("p-1", "a good password")
    assert [operation for operation, _ in fake.calls] == [
        "admin_set_user_password",
        "admin_create_user",
        "admin_set_user_password",
    ]
    cognito.sign_out_patient_everywhere("p-1")  # no user yet: nothing to sign out, no error


def test_a_write_is_worded_the_same_alone_and_in_a_transaction(client):
    fake = client(put_item=[{}], update_item=[{"Attributes": {"pk": {"S": "P#1"}, "n": {"N": "2"}}}])
    table = Table("portal")
    table.put({"pk": "P#1", "n": 1}, condition="attribute_not_exists(pk)")
    updated = table.update(
        {"pk": "P#1"}, expression="SET #n = :n", values={":n": 2}, names={"#n": "n"}, condition="#n = :old"
    )
    assert updated == {"pk": "P#1", "n": 2}
    (_, put), (_, update) = fake.calls
    assert table.put_entry({"pk": "P#1", "n": 1}, condition="attribute_not_exists(pk)") == {"Put": put}
    assert put == {
        "TableName": "portal",
        "Item": {"pk": {"S": "P#1"}, "n": {"N": "1"}},
        "ConditionExpression": "attribute_not_exists(pk)",
    }
    assert update.pop("ReturnValues") == "ALL_NEW"
    assert table.update_entry(
        {"pk": "P#1"}, expression="SET #n = :n", values={":n": 2}, names={"#n": "n"}, condition="#n = :old"
    ) == {"Update": update}
    # Without values, names or condition, none of them is sent
    assert table.update_entry({"pk": "P#1"}, expression="REMOVE x") == {
        "Update": {"TableName": "portal", "Key": {"pk": {"S": "P#1"}}, "UpdateExpression": "REMOVE x"}
    }


def test_a_failed_condition_is_a_conflict(client):
    client(put_item=[error("ConditionalCheckFailedException")])
    with pytest.raises(ConflictError) as refused:
        Table("portal").put({"pk": "P#1"}, condition="attribute_not_exists(pk)", conflict="Taken.")
    assert refused.value.message == "Taken."


def test_a_batch_write_retries_only_what_dynamodb_handed_back_with_growing_pauses(client):
    items = [{"pk": f"P#{number}"} for number in range(30)]
    left = {"portal": [{"PutRequest": {"Item": {"pk": {"S": "P#3"}}}}]}
    fake = client(batch_write_item=[{"UnprocessedItems": left}, {"UnprocessedItems": left}, {}, {}])
    pauses: list[float] = []
    assert batches.put_all(items, table=Table("portal"), sleep=pauses.append) == 4
    sizes = [len(arguments["RequestItems"]["portal"]) for _, arguments in fake.calls]
    assert sizes == [25, 1, 1, 5]
    assert fake.calls[1][1]["RequestItems"] == left
    assert pauses == [0.05, 0.1]


def test_a_batch_dynamodb_keeps_handing_back_is_an_error_after_the_last_try(client):
    left = {"portal": [{"PutRequest": {"Item": {"pk": {"S": "P#1"}}}}]}
    fake = client(batch_write_item=[{"UnprocessedItems": left}] * batches.MAX_TRIES)
    with pytest.raises(batches.UnprocessedItemsError):
        batches.put_all([{"pk": "P#1"}], table=Table("portal"), sleep=lambda _: None)
    assert len(fake.calls) == batches.MAX_TRIES


def test_a_batch_read_gathers_every_answer_and_asks_again_for_the_keys_left(client):
    left = {"portal": {"Keys": [{"pk": {"S": "P#2"}}], "ProjectionExpression": "#a0"}}
    fake = client(
        batch_get_item=[
            {"Responses": {"portal": [{"pk": {"S": "P#1"}}]}, "UnprocessedKeys": left},
            {"Responses": {"portal": [{"pk": {"S": "P#2"}}]}},
        ]
    )
    found = batches.get_all(
        [{"pk": "P#1"}, {"pk": "P#2"}], attributes=("pk", "pk"), table=Table("portal"), sleep=lambda _: None
    )
    assert found == [{"pk": "P#1"}, {"pk": "P#2"}]
    first = fake.calls[0][1]["RequestItems"]["portal"]
    assert first == {
        "Keys": [{"pk": {"S": "P#1"}}, {"pk": {"S": "P#2"}}],
        "ProjectionExpression": "#a0",
        "ExpressionAttributeNames": {"#a0": "pk"},
    }
    assert fake.calls[1][1]["RequestItems"] == left


def test_one_query_as_worded_answers_its_items_and_where_the_next_starts(client):
    fake = client(
        query=[
            {"Items": [{"pk": {"S": "A"}}], "LastEvaluatedKey": {"pk": {"S": "A"}, "sk": {"S": "1"}}},
            {"Items": []},
        ]
    )
    table = Table("portal")
    items, last = table.query(
        index="Queue",
        condition="queue_pk = :p",
        values={":p": "ARCHIVE#2026-01"},
        filter_expression="#t = :t",
        names={"#t": "type"},
        newest_first=True,
        limit=3,
    )
    assert (items, last) == ([{"pk": "A"}], {"pk": "A", "sk": "1"})
    assert fake.calls[0][1] == {
        "TableName": "portal",
        "IndexName": "Queue",
        "KeyConditionExpression": "queue_pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "ARCHIVE#2026-01"}},
        "ExpressionAttributeNames": {"#t": "type"},
        "FilterExpression": "#t = :t",
        "ScanIndexForward": False,
        "Limit": 3,
    }
    assert table.query(condition="pk = :p", values={":p": "A"}, start=last) == ([], None)
    assert fake.calls[1][1] == {
        "TableName": "portal",
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "A"}},
        "ScanIndexForward": True,
        "ExclusiveStartKey": {"pk": {"S": "A"}, "sk": {"S": "1"}},
    }


def cancelled(*reasons: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": reason} for reason in reasons],
        },
        "TransactWriteItems",
    )


@pytest.mark.parametrize(
    "refusal",
    [
        error("ProvisionedThroughputExceededException"),
        error("ThrottlingException"),
        error("RequestLimitExceeded"),
        error("InternalServerError"),
        error("ServiceUnavailable"),
        cancelled("None", "ThrottlingError"),
        cancelled("TransactionConflict", "None"),
    ],
)
def test_dynamodb_busy_after_botocores_retries_is_a_503_for_every_kind_of_call(client, refusal):
    """What AWS answers when busy becomes ``UnavailableError`` (the API's 503) on reads and
    writes alike, carrying AWS's code for the log; a failed condition stays a conflict."""
    for call in (
        lambda table: table.get({"pk": "a", "sk": "b"}),
        lambda table: table.query_page(partition=("pk", "a")),
        lambda table: table.update({"pk": "a", "sk": "b"}, expression="SET x = :x", values={":x": 1}),
        lambda table: table.transact([], conflict="changed"),
    ):
        client(get_item=[refusal], query=[refusal], update_item=[refusal], transact_write_items=[refusal])
        with pytest.raises(UnavailableError) as raised:
            call(Table("t"))
        assert raised.value.aws_code == refusal.response["Error"]["Code"]


def test_a_failed_condition_is_a_conflict_and_other_refusals_stay_errors(client):
    client(transact_write_items=[cancelled("None", "ConditionalCheckFailed"), cancelled("ValidationError")])
    with pytest.raises(ConflictError, match="changed"):
        Table("t").transact([], conflict="changed")
    with pytest.raises(ClientError):
        Table("t").transact([], conflict="changed")
    client(get_item=[error("ValidationException")], put_item=[error("ConditionalCheckFailedException")])
    with pytest.raises(ClientError):
        Table("t").get({"pk": "a", "sk": "b"})
    with pytest.raises(ConflictError):
        Table("t").put({"pk": "a", "sk": "b"}, condition="attribute_not_exists(pk)", conflict="taken")


def test_every_client_tries_three_times_in_all_with_botocores_standard_retries(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    aws.forget_clients()
    try:
        retries = aws.dynamodb().meta.config.retries
    finally:
        aws.forget_clients()
    assert retries == {"mode": "standard", "total_max_attempts": 3}
