"""What the stack does for the person who deploys, upgrades, watches and recovers it
(docs/deploy.md): a deploy with nothing new succeeds; an address SES already has does not fail
the first deployment; a failed first deployment leaves nothing behind; AdminEmail can change;
the data cannot be deleted by accident and can be restored; indexes arrive one per release;
every failure that loses or delays something raises an alarm."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from local import template as cfn

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = cfn.load()
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]
RELEASED_INDEXES = Path(__file__).with_name("released_indexes.json")

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
# What holds data or a trace of it: kept by every stack operation but the one that created it.
STATEFUL_TYPES = (
    "AWS::DynamoDB::Table",
    "AWS::Cognito::UserPool",
    "AWS::Logs::LogGroup",
    "AWS::SQS::Queue",
    "AWS::Backup::BackupVault",
)


def defaults(**overrides: str) -> dict[str, str]:
    """The parameters as `sam deploy` would pass them: defaults, the required ones, overrides."""
    given = {name: str(body["Default"]) for name, body in TEMPLATE["Parameters"].items() if "Default" in body}
    given.update(PracticeName="P", PracticePhone="1", SenderEmail="portal@example.org", AdminEmail="admin@example.org")
    given.update(overrides)
    return given


def resolver(**overrides: str) -> cfn.Resolver:
    return cfn.Resolver(
        parameters=defaults(**overrides), conditions=TEMPLATE["Conditions"], pseudo={"AWS::StackName": "portal"}
    )


def walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for inner in value.values():
            yield from walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from walk(inner)


def names_used(value: Any) -> set[str]:
    """Every parameter or resource a value refers to (Ref, GetAtt, ${} in Sub)."""
    found: set[str] = set()
    for node in walk(value):
        if isinstance(node, dict) and len(node) == 1:
            ((key, argument),) = node.items()
            if key == "Ref":
                found.add(argument)
            elif key == "Fn::GetAtt":
                found.add(argument[0])
            elif key == "Fn::Sub":
                text = argument[0] if isinstance(argument, list) else argument
                found.update(name.split(".")[0] for name in re.findall(r"\$\{([^}!]+)\}", text))
    return found


def of_type(*kinds: str) -> dict[str, dict[str, Any]]:
    return {name: body for name, body in RESOURCES.items() if body["Type"] in kinds}


# ---------------------------------------------------------------------------------------
# 1. A second `make deploy` with nothing new to deploy
# ---------------------------------------------------------------------------------------


def make_recipe(target: str) -> list[str]:
    """The recipe lines of one Makefile target (tab-indented lines after `target:`)."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    (start,) = [index for index, line in enumerate(lines) if re.match(rf"^{re.escape(target)}\s*:(?!=)", line)]
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def test_make_deploy_succeeds_when_the_change_set_is_empty_so_the_pages_are_still_published():
    # The build is byte-identical when only web/ changed: the change set is empty, and
    # without the flag `sam deploy` exits 1 and publish-web never runs.
    recipe = make_recipe("deploy")
    deploys = [line for line in recipe if re.search(r"\$\(SAM\)\s+deploy\b", line)]
    assert len(deploys) == 1, recipe
    assert "--no-fail-on-empty-changeset" in deploys[0].split()
    publish = [index for index, line in enumerate(recipe) if "publish-web" in line]
    assert publish, recipe
    assert publish[0] > recipe.index(deploys[0])


# ---------------------------------------------------------------------------------------
# 2. The sender's SES identity is optional
# ---------------------------------------------------------------------------------------


def test_the_sender_identity_is_created_unless_ses_already_has_it():
    identity = RESOURCES["SenderIdentity"]
    condition = identity["Condition"]
    assert resolver().condition(condition) is True  # the default: the stack registers it
    assert resolver(CreateSenderIdentity="false").condition(condition) is False
    assert TEMPLATE["Parameters"]["CreateSenderIdentity"]["AllowedValues"] == ["true", "false"]
    # Nothing may name a resource that might not exist; notify sends from the parameter.
    users = [name for name, body in RESOURCES.items() if "SenderIdentity" in names_used(body)]
    assert users == []
    assert names_used(TEMPLATE.get("Outputs", {})).isdisjoint({"SenderIdentity"})
    assert RESOURCES["NotifyFunction"]["Properties"]["Environment"]["Variables"]["SENDER_EMAIL"] == {
        "Ref": "SenderEmail"
    }


# ---------------------------------------------------------------------------------------
# 3. A failed first deployment leaves nothing behind
# ---------------------------------------------------------------------------------------


def test_what_holds_data_is_kept_except_when_the_deployment_that_created_it_rolls_back():
    stateful = of_type(*STATEFUL_TYPES)
    assert {"PortalTable", "StaffUserPool", "PatientUserPool", "NotifyDeadLetterQueue", "JobsDeadLetterQueue"} <= set(
        stateful
    )
    assert len(of_type("AWS::Logs::LogGroup")) >= 8
    for name, body in stateful.items():
        assert body.get("DeletionPolicy") == "RetainExceptOnCreate", name
        # UpdateReplacePolicy has no RetainExceptOnCreate: a replaced table is kept.
        assert body.get("UpdateReplacePolicy") == "Retain", name


def test_no_resource_is_retained_when_its_own_creation_rolls_back():
    # Every resource type that takes DeletionPolicy takes RetainExceptOnCreate; plain Retain
    # would leave orphans behind a failed first deployment.
    assert [name for name, body in RESOURCES.items() if body.get("DeletionPolicy") == "Retain"] == []


# ---------------------------------------------------------------------------------------
# 4. AdminEmail can change later
# ---------------------------------------------------------------------------------------


def test_the_first_admin_does_not_change_when_admin_email_does():
    admin = RESOURCES["FirstAdmin"]
    # A Cognito user is replaced by any change of its properties, and the new "admin" would
    # conflict with the old one: AdminEmail reaches it only through a dynamic reference,
    # which CloudFormation does not compare between deployments.
    assert "AdminEmail" not in names_used(admin)
    (email,) = [item["Value"] for item in admin["Properties"]["UserAttributes"] if item["Name"] == "email"]
    assert email == {"Fn::Sub": "{{resolve:secretsmanager:${FirstAdminEmail}:SecretString}}"}
    holder = RESOURCES["FirstAdminEmail"]
    assert holder["Type"] == "AWS::SecretsManager::Secret"
    assert holder["Properties"]["SecretString"] == {"Ref": "AdminEmail"}
    # The rest of the user stays exactly as the stacks already deployed have it.
    assert admin["Properties"]["Username"] == "admin"
    assert admin["Properties"]["DesiredDeliveryMediums"] == ["EMAIL"]
    assert admin["UpdateReplacePolicy"] == "Retain"


def test_the_first_admin_gets_admin_email_when_the_stack_is_created():
    r = resolver(AdminEmail="first@example.org")
    r.refs["StaffUserPool"] = "pool-1"
    r.refs["FirstAdminEmail"] = "arn:secret-1"
    values = {"secretsmanager:arn:secret-1:SecretString": r.resolve(RESOURCES["FirstAdminEmail"]["Properties"])}
    r.dynamic = lambda reference: values[reference]["SecretString"]
    attributes = r.resolve(RESOURCES["FirstAdmin"]["Properties"])["UserAttributes"]
    assert {"Name": "email", "Value": "first@example.org"} in attributes


# ---------------------------------------------------------------------------------------
# 5. Deletion protection and backups
# ---------------------------------------------------------------------------------------


def test_the_table_and_both_pools_are_protected_from_deletion_by_default():
    on, off = resolver(), resolver(DeletionProtection="false")
    table = RESOURCES["PortalTable"]["Properties"]
    assert on.resolve(table["DeletionProtectionEnabled"]) is True
    assert off.resolve(table["DeletionProtectionEnabled"]) is False
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    for pool in ("StaffUserPool", "PatientUserPool"):
        properties = RESOURCES[pool]["Properties"]
        assert on.resolve(properties["DeletionProtection"]) == "ACTIVE"
        assert off.resolve(properties["DeletionProtection"]) == "INACTIVE"


def test_daily_backups_are_off_by_default_and_keep_each_copy_35_days():
    backups = of_type(
        "AWS::Backup::BackupVault", "AWS::Backup::BackupPlan", "AWS::Backup::BackupSelection", "AWS::IAM::Role"
    )
    backups.pop("TokensFunctionRole")
    assert set(backups) == {"BackupVault", "BackupPlan", "BackupSelection", "BackupRole"}
    conditions = {body.get("Condition") for body in backups.values()}
    assert len(conditions) == 1
    (condition,) = conditions
    assert resolver().condition(condition) is False
    assert resolver(DailyBackups="true").condition(condition) is True

    (rule,) = RESOURCES["BackupPlan"]["Properties"]["BackupPlan"]["BackupPlanRule"]
    assert rule["TargetBackupVault"] == {"Ref": "BackupVault"}
    minute, hour, day, month, weekday, year = rule["ScheduleExpression"].removeprefix("cron(").rstrip(")").split()
    assert (day, month, weekday, year) == ("*", "*", "?", "*")  # every day, once
    assert minute.isdigit()
    assert hour.isdigit()
    assert rule["Lifecycle"] == {"DeleteAfterDays": 35}
    selection = RESOURCES["BackupSelection"]["Properties"]["BackupSelection"]
    assert selection["Resources"] == [{"Fn::GetAtt": ["PortalTable", "Arn"]}]
    assert selection["IamRoleArn"] == {"Fn::GetAtt": ["BackupRole", "Arn"]}


# ---------------------------------------------------------------------------------------
# 6. One new global secondary index per release
# ---------------------------------------------------------------------------------------


def index_changes(released: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[str]:
    """What breaks the rule of docs/data-model.md: more than one new index, or a released
    one removed or changed (a rename is both; a changed key or projection is a delete and a
    create, two index operations in one update)."""
    before = {index["IndexName"]: index for index in released}
    after = {
        index["IndexName"]: {key: index[key] for key in ("IndexName", "KeySchema", "Projection")} for index in current
    }
    problems = [f"{name} removed (or renamed)" for name in before if name not in after]
    problems += [f"{name} changed" for name in before if name in after and after[name] != before[name]]
    new = [name for name in after if name not in before]
    if len(new) > 1:
        problems.append(f"{len(new)} new indexes in one release ({', '.join(new)}); CloudFormation adds one per update")
    return problems


def test_the_template_adds_at_most_one_index_to_the_released_ones_and_changes_none():
    released = json.loads(RELEASED_INDEXES.read_text())
    for table, indexes in released.items():
        if table == "about":
            continue
        current = RESOURCES[table]["Properties"]["GlobalSecondaryIndexes"]
        assert index_changes(indexes, current) == []
    assert set(released) - {"about"} == set(of_type("AWS::DynamoDB::Table"))


def test_the_index_rule_refuses_two_new_indexes_a_removed_one_and_a_changed_one():
    released = json.loads(RELEASED_INDEXES.read_text())["PortalTable"]
    # The rule itself, on the released indexes (the template may already hold this release's one)
    current = released

    def index(name: str) -> dict[str, Any]:
        return {"IndexName": name, "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {}}

    assert index_changes(released, [*current, index("One")]) == []
    assert index_changes(released, [*current, index("One"), index("Two")]) != []
    assert index_changes(released, current[1:]) == [f"{current[0]['IndexName']} removed (or renamed)"]
    renamed = [{**current[0], "IndexName": "Other"}, *current[1:]]
    assert index_changes(released, renamed) == [f"{current[0]['IndexName']} removed (or renamed)"]
    reprojected = [{**current[0], "Projection": {"ProjectionType": "KEYS_ONLY"}}, *current[1:]]
    assert index_changes(released, reprojected) == [f"{current[0]['IndexName']} changed"]


# ---------------------------------------------------------------------------------------
# 7 and 8. Alarms, and the failure destination of notify's asynchronous invocations
# ---------------------------------------------------------------------------------------


def alarms() -> dict[str, dict[str, Any]]:
    return {name: body["Properties"] for name, body in of_type("AWS::CloudWatch::Alarm").items()}


def alarms_on(namespace: str, metric: str) -> dict[str, Mapping[str, Any]]:
    """Dimensions by alarm, for the single-metric alarms on one metric."""
    return {
        name: {item["Name"]: item["Value"] for item in alarm.get("Dimensions", [])}
        for name, alarm in alarms().items()
        if alarm.get("Namespace") == namespace and alarm.get("MetricName") == metric
    }


def test_every_alarm_notifies_the_alert_topic_which_emails_alert_email_when_given():
    topic = {"Ref": "AlertTopic"}
    assert RESOURCES["AlertTopic"]["Type"] == "AWS::SNS::Topic"
    assert len(alarms()) >= 20
    for name, alarm in alarms().items():
        assert topic in alarm["AlarmActions"], name
        assert alarm.get("TreatMissingData") == "notBreaching", name
    (subscription,) = of_type("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlertEmail"}
    assert subscription["Properties"]["TopicArn"] == topic
    assert resolver().condition(subscription["Condition"]) is False  # AlertEmail's default is empty
    assert resolver(AlertEmail="it@example.org").condition(subscription["Condition"]) is True


def test_a_message_on_any_dead_letter_queue_raises_an_alarm():
    watched = {
        dimensions["QueueName"]["Fn::GetAtt"][0]
        for dimensions in alarms_on("AWS/SQS", "ApproximateNumberOfMessagesVisible").values()
    }
    assert watched == set(of_type("AWS::SQS::Queue"))
    for alarm in alarms().values():
        if alarm.get("Namespace") == "AWS/SQS":
            assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_each_function_has_an_errors_and_a_throttles_alarm(metric):
    watched = [dimensions["FunctionName"]["Ref"] for dimensions in alarms_on("AWS/Lambda", metric).values()]
    assert sorted(watched) == sorted(of_type(*FUNCTION_TYPES))


def test_each_stream_reader_has_an_iterator_age_alarm():
    readers = {
        name
        for name, body in of_type("AWS::Serverless::Function").items()
        if any(event["Type"] == "DynamoDB" for event in body["Properties"].get("Events", {}).values())
    }
    assert readers == {"NotifyFunction", "JobsFunction"}
    watched = {dimensions["FunctionName"]["Ref"] for dimensions in alarms_on("AWS/Lambda", "IteratorAge").values()}
    assert watched == readers


def test_the_api_5xx_rate_alarm_divides_5xx_by_requests():
    (alarm,) = [alarm for alarm in alarms().values() if "Metrics" in alarm]
    metrics = {item["Id"]: item for item in alarm["Metrics"]}
    (returned,) = [item for item in metrics.values() if item.get("ReturnData", True)]
    stats = {
        item["MetricStat"]["Metric"]["MetricName"]: item["Id"] for item in metrics.values() if "MetricStat" in item
    }
    assert set(stats) == {"5xx", "Count"}
    for item in metrics.values():
        if "MetricStat" in item:
            assert item["MetricStat"]["Metric"]["Namespace"] == "AWS/ApiGateway"
            assert item["MetricStat"]["Metric"]["Dimensions"] == [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}]
    assert f"{stats['5xx']} / {stats['Count']}" in returned["Expression"]


def test_ses_reputation_alarms_go_off_before_ses_reviews_the_account():
    # SES reviews an account at a 5 % bounce rate and a 0.1 % complaint rate.
    review = {"Reputation.BounceRate": 0.05, "Reputation.ComplaintRate": 0.001}
    found = {alarm["MetricName"]: alarm for alarm in alarms().values() if alarm.get("Namespace") == "AWS/SES"}
    assert set(found) == set(review)
    for metric, alarm in found.items():
        assert "Dimensions" not in alarm  # the account's rate, the one SES reviews
        assert 0 < alarm["Threshold"] < review[metric]
        assert alarm["Threshold"] <= 0.8 * review[metric]


def test_asynchronous_invocations_end_on_a_failure_queue_not_dropped():
    # SNS invokes asynchronously; after Lambda's retries a failed event would be dropped.
    asynchronous = {
        name
        for name, body in of_type("AWS::Serverless::Function").items()
        if any(
            event["Type"] in ("SNS", "S3", "EventBridgeRule", "Schedule")
            for event in body["Properties"].get("Events", {}).values()
        )
    }
    assert asynchronous == {"NotifyFunction"}
    for name in asynchronous:
        destination = RESOURCES[name]["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
        assert destination["Type"] == "SQS"
        queue = destination["Destination"]["Fn::GetAtt"][0]
        assert RESOURCES[queue]["Type"] == "AWS::SQS::Queue"
        # ... and a queue no other path writes to, so its alarm names the cause.
        others = [
            event["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
            for body in of_type("AWS::Serverless::Function").values()
            for event in body["Properties"].get("Events", {}).values()
            if "DestinationConfig" in event.get("Properties", {})
        ]
        assert {"Fn::GetAtt": [queue, "Arn"]} not in others
        # The checkov suppression says where those failures go, not that there are none.
        (skip,) = [item for item in RESOURCES[name]["Metadata"]["checkov"]["skip"] if item["id"] == "CKV_AWS_116"]
        assert queue in skip["comment"]
        assert "never receive" not in skip["comment"]
