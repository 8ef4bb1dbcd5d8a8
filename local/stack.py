"""Creates the stack's resources in the AWS emulator from the template's own properties
(no second copy of any definition), and works out each function's environment.

Used by ``make run`` and by the integration tests, both against moto's threaded server on
loopback (docs/decisions.md 13), which they reach through ``AWS_ENDPOINT_URL``.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3

from local import template as cfn

STACK_NAME = "patient-portal-local"
ACCOUNT_ID = "123456789012"

LOCAL_PARAMETERS = {
    "PracticeName": "Riverbend Family Practice",
    "PracticePhone": "(555) 010-0199",
    "SenderEmail": "portal@riverbend-demo.example",
    "AdminEmail": "it-admin@riverbend-demo.example",
    "DomainName": "",
    "CertificateArn": "",
}

# Resources the emulator creates; everything else (CloudFront, S3, log groups, the API
# itself) is played by the local gateway or does not matter on one machine. The pools keep
# their pre token generation trigger in their settings, but moto never runs a trigger: local
# access tokens keep Cognito's self-service scope (docs/decisions.md).
Creator = Callable[["Stack", str, dict[str, Any]], None]


def aws_client(service: str, region: str | None = None) -> Any:
    """One botocore client per service, region and emulator: creating one costs about 15 ms,
    and setting up the stack and its demo data would otherwise make 33 of them."""
    region = region or os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    return _client(service, region, os.environ.get("AWS_ENDPOINT_URL"))


@functools.cache
def _client(service: str, region: str, endpoint: str | None) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=endpoint)  # type: ignore[call-overload]


@dataclass
class Stack:
    template: dict[str, Any]
    resolver: cfn.Resolver
    region: str
    environment: dict[str, str] = field(default_factory=dict)
    functions: dict[str, dict[str, str]] = field(default_factory=dict)
    authorizers: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    queue_urls: dict[str, str] = field(default_factory=dict)
    invitations: bool = True  # Cognito emails the users the template creates

    def ref(self, logical_id: str) -> str:
        return self.resolver.ref(logical_id)

    def properties(self, logical_id: str) -> dict[str, Any]:
        resolved: dict[str, Any] = self.resolver.resolve(self.template["Resources"][logical_id].get("Properties", {}))
        return resolved

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{ACCOUNT_ID}:{resource}"


def create_table(stack: Stack, logical_id: str, properties: dict[str, Any]) -> None:
    name = f"{STACK_NAME}-{logical_id}"
    client = aws_client("dynamodb", stack.region)
    arguments: dict[str, Any] = {
        key: properties[key]
        for key in ("KeySchema", "AttributeDefinitions", "BillingMode", "GlobalSecondaryIndexes")
        if key in properties
    }
    stream = properties.get("StreamSpecification")
    if stream:
        arguments["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    if "SSESpecification" in properties:
        arguments["SSESpecification"] = {"Enabled": properties["SSESpecification"]["SSEEnabled"]}
    description = client.create_table(TableName=name, **arguments)["TableDescription"]
    if "TimeToLiveSpecification" in properties:
        client.update_time_to_live(TableName=name, TimeToLiveSpecification=properties["TimeToLiveSpecification"])
    if "PointInTimeRecoverySpecification" in properties:
        client.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification=properties["PointInTimeRecoverySpecification"]
        )
    stack.resolver.refs[logical_id] = name
    stack.resolver.attributes[(logical_id, "Arn")] = description["TableArn"]
    stack.resolver.attributes[(logical_id, "StreamArn")] = description.get("LatestStreamArn", "")


def create_user_pool(stack: Stack, logical_id: str, properties: dict[str, Any]) -> None:
    client = aws_client("cognito-idp", stack.region)
    # EnabledMfas is CloudFormation's: the API sets the pool's factors with SetUserPoolMfaConfig.
    arguments = {key: value for key, value in properties.items() if key not in ("UserPoolName", "EnabledMfas")}
    pool = client.create_user_pool(PoolName=properties["UserPoolName"], **arguments)["UserPool"]
    if properties.get("MfaConfiguration", "OFF") != "OFF":
        client.set_user_pool_mfa_config(
            UserPoolId=pool["Id"],
            MfaConfiguration=properties["MfaConfiguration"],
            SoftwareTokenMfaConfiguration={"Enabled": "SOFTWARE_TOKEN_MFA" in properties.get("EnabledMfas", [])},
        )
    stack.resolver.refs[logical_id] = pool["Id"]
    stack.resolver.attributes[(logical_id, "Arn")] = pool["Arn"]


def create_user_pool_client(stack: Stack, logical_id: str, properties: dict[str, Any]) -> None:
    client = aws_client("cognito-idp", stack.region)
    created = client.create_user_pool_client(**properties)["UserPoolClient"]
    stack.resolver.refs[logical_id] = created["ClientId"]


def create_group(stack: Stack, logical_id: str, properties: dict[str, Any]) -> None:
    aws_client("cognito-idp", stack.region).create_group(**properties)
    stack.resolver.refs[logical_id] = properties["GroupName"]


def create_pool_user(stack: Stack, logical_id: str, properties: dict[str, Any]) -> None:
    # Cognito's invitation, with a temporary password, reaches the development mailbox
    # (local.emulator, 8): the first administrator signs in as on AWS.
    invitation = {} if stack.invitations else {"MessageAction": "SUPPRESS"}
    aws_client("cognito-idp", stack.region).admin_create_user(
        UserPoolId=properties["UserPoolId"],
        Username=properties["Username"],
        UserAttributes=properties.get("UserAttributes", []),
        DesiredDeliveryMediums=properties.get("DesiredDeliveryMediums", ["SMS"]),
        **invitation,
    )
    stack.resolver.refs[logical_id] = properties["Username"]


def add_user_to_group(stack: Stack, logical_id: str, properties: dict[str, Any]) -> None:
    aws_client("cognito-idp", stack.region).admin_add_user_to_group(**properties)
    stack.resolver.refs[logical_id] = logical_id


def create_queue(stack: Stack, logical_id: str, properties: dict[str, Any]) -> None:
    client = aws_client("sqs", stack.region)
    attributes: dict[Any, str] = {
        key: str(value).lower() if isinstance(value, bool) else str(value) for key, value in properties.items()
    }
    url = client.create_queue(QueueName=f"{STACK_NAME}-{logical_id}", Attributes=attributes)["QueueUrl"]
    arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    stack.queue_urls[arn] = url
    stack.resolver.refs[logical_id] = url
    stack.resolver.attributes[(logical_id, "Arn")] = arn


def create_configuration_set(stack: Stack, logical_id: str, properties: dict[str, Any]) -> None:
    name = properties.get("Name", f"{STACK_NAME}-{logical_id}")
    arguments = {key: value for key, value in properties.items() if key in {"DeliveryOptions", "ReputationOptions"}}
    aws_client("sesv2", stack.region).create_configuration_set(ConfigurationSetName=name, **arguments)
    stack.resolver.refs[logical_id] = name


def create_email_identity(stack: Stack, logical_id: str, properties: dict[str, Any]) -> None:
    client = aws_client("sesv2", stack.region)
    configuration = properties.get("ConfigurationSetAttributes", {}).get("ConfigurationSetName")
    arguments = {"ConfigurationSetName": configuration} if configuration else {}
    client.create_email_identity(EmailIdentity=properties["EmailIdentity"], **arguments)
    # SES in the emulator only sends from identities verified through the classic API.
    aws_client("ses", stack.region).verify_email_identity(EmailAddress=properties["EmailIdentity"])
    stack.resolver.refs[logical_id] = properties["EmailIdentity"]


def create_event_bus(stack: Stack, logical_id: str, properties: dict[str, Any]) -> None:
    arn = aws_client("events", stack.region).create_event_bus(Name=properties["Name"])["EventBusArn"]
    stack.resolver.refs[logical_id] = properties["Name"]
    stack.resolver.attributes[(logical_id, "Arn")] = arn


# GetRandomPassword takes the same options as a template's GenerateSecretString.
PASSWORD_OPTIONS = (
    "PasswordLength",
    "ExcludeCharacters",
    "ExcludeNumbers",
    "ExcludePunctuation",
    "ExcludeUppercase",
    "ExcludeLowercase",
    "IncludeSpace",
    "RequireEachIncludedType",
)


def create_secret(stack: Stack, logical_id: str, properties: dict[str, Any]) -> None:
    """A secret with the value CloudFormation would generate for it (a fresh one per stack)."""
    client = aws_client("secretsmanager", stack.region)
    value = properties.get("SecretString")
    if value is None:
        generate = properties.get("GenerateSecretString", {})
        options = {key: generate[key] for key in PASSWORD_OPTIONS if key in generate}
        value = client.get_random_password(**options)["RandomPassword"]
        if "GenerateStringKey" in generate:
            value = json.dumps({**json.loads(generate["SecretStringTemplate"]), generate["GenerateStringKey"]: value})
    arn = client.create_secret(Name=f"{STACK_NAME}-{logical_id}", SecretString=value)["ARN"]
    stack.resolver.refs[logical_id] = arn


def resolve_secret(stack: Stack, reference: str) -> str:
    """``secretsmanager:<secret id>:SecretString[:json-key[:version-stage[:version-id]]]``, the
    text of a ``{{resolve:...}}`` dynamic reference, as CloudFormation reads it at deploy time."""
    service, _, rest = reference.partition(":")
    secret_id, marker, options = rest.partition(":SecretString")
    if service != "secretsmanager" or not marker:
        raise ValueError(f"no local answer for the dynamic reference {{{{resolve:{reference}}}}}")
    json_key, stage, version = [*options.removeprefix(":").split(":"), "", ""][:3]
    arguments = {"SecretId": secret_id}
    if version:
        arguments["VersionId"] = version
    elif stage:
        arguments["VersionStage"] = stage
    value = str(aws_client("secretsmanager", stack.region).get_secret_value(**arguments)["SecretString"])
    return str(json.loads(value)[json_key]) if json_key else value


CREATORS: dict[str, Creator] = {
    "AWS::SecretsManager::Secret": create_secret,
    "AWS::DynamoDB::Table": create_table,
    "AWS::SES::ConfigurationSet": create_configuration_set,
    "AWS::SES::EmailIdentity": create_email_identity,
    "AWS::Events::EventBus": create_event_bus,
    "AWS::SQS::Queue": create_queue,
    "AWS::Cognito::UserPool": create_user_pool,
    "AWS::Cognito::UserPoolClient": create_user_pool_client,
    "AWS::Cognito::UserPoolGroup": create_group,
    "AWS::Cognito::UserPoolUser": create_pool_user,
    "AWS::Cognito::UserPoolUserToGroupAttachment": add_user_to_group,
}


def _stand_ins(stack: Stack, public_host: str) -> None:
    """Names for what the local gateway plays (the API, CloudFront, S3, log groups)."""
    for logical_id, body in stack.template["Resources"].items():
        if body["Type"] not in CREATORS:
            stack.resolver.refs.setdefault(logical_id, f"{STACK_NAME}-{logical_id}")
            stack.resolver.attributes.setdefault((logical_id, "Arn"), stack.arn("local", logical_id))
    stack.resolver.attributes[("Distribution", "DomainName")] = public_host


def _environments(stack: Stack, overrides: Mapping[str, str]) -> None:
    template = stack.template
    shared = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    for name, body in cfn.resources_of_type(template, "AWS::Serverless::Function").items():
        own = body["Properties"].get("Environment", {}).get("Variables", {})
        variables = {key: str(value) for key, value in stack.resolver.resolve({**shared, **own}).items()}
        variables.update(overrides)
        stack.functions[name] = variables
    # The union, for what sets up the stack and for the integration tests, which call every
    # function in their own process (the runtime gives each function only its own).
    # A variable the functions set differently (each one's POWERTOOLS_SERVICE_NAME) is left out.
    differing = {
        key
        for variables in stack.functions.values()
        for key, value in variables.items()
        if any(other.get(key, value) != value for other in stack.functions.values())
    }
    for variables in stack.functions.values():
        stack.environment.update({key: value for key, value in variables.items() if key not in differing})


def _authorizers(stack: Stack) -> None:
    for body in cfn.resources_of_type(stack.template, "AWS::Serverless::HttpApi").values():
        for name, authorizer in body["Properties"]["Auth"]["Authorizers"].items():
            configuration = stack.resolver.resolve(authorizer["JwtConfiguration"])
            stack.authorizers[name] = (configuration["issuer"], list(configuration["audience"]))


def template_defaults(template: dict[str, Any]) -> dict[str, str]:
    """What ``sam deploy`` uses for a parameter nobody sets."""
    return {name: str(body["Default"]) for name, body in template.get("Parameters", {}).items() if "Default" in body}


def provision(
    *,
    region: str,
    public_url: str,
    parameters: Mapping[str, str] | None = None,
    template: dict[str, Any] | None = None,
    invitations: bool = True,
) -> Stack:
    """Creates every emulated resource in dependency order and returns what was made.
    ``invitations=False`` keeps the first administrator's invitation out of the mailbox
    (the integration tests, whose every test starts with an empty one)."""
    template = template or cfn.load()
    host = public_url.split("://", 1)[-1].rstrip("/")
    resolver = cfn.Resolver(
        parameters={**template_defaults(template), **LOCAL_PARAMETERS, **(parameters or {})},
        conditions=template.get("Conditions", {}),
        pseudo={
            "AWS::StackName": STACK_NAME,
            "AWS::Region": region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        },
    )
    stack = Stack(template=template, resolver=resolver, region=region, invitations=invitations)
    resolver.dynamic = functools.cache(lambda reference: resolve_secret(stack, reference))
    # Stand-ins first: a created resource may name one (a user pool names its token trigger).
    _stand_ins(stack, host)
    for kind, create in CREATORS.items():
        for logical_id in cfn.resources_of_type(template, kind):
            create(stack, logical_id, stack.properties(logical_id))
    _environments(
        stack,
        {
            "PORTAL_URL": f"{public_url.rstrip('/')}/portal/",
            # Metrics stay on the console's log lines no more than Lambda would send them to
            # CloudWatch: off (Powertools still prints a set that reaches 100 values).
            "POWERTOOLS_METRICS_DISABLED": "true",
            "AWS_DEFAULT_REGION": region,
        },
    )
    _authorizers(stack)
    return stack
