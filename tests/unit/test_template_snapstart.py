"""The SnapStart parameter (docs/deploy.md, docs/performance.md "SnapStart and provisioned
concurrency"): off by default; on, every function of the API runs from a snapshot of its
published version, which the API invokes through the function's alias. The background
functions (notify, jobs) stay on demand and unversioned, so an upgrade never replaces their
stream mappings or SNS subscription (docs/decisions.md 67)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from local import template as cfn

TEMPLATE = cfn.load()
FUNCTIONS = cfn.resources_of_type(TEMPLATE, "AWS::Serverless::Function")
GLOBALS = TEMPLATE["Globals"]["Function"]
API = ("QueueFunction", "PatientsFunction", "PortalFunction", "AuthFunction")
BACKGROUND = ("NotifyFunction", "JobsFunction")
SAM_PYTHON = cfn.ROOT / ".venv-sam" / "bin" / "python"


def resolver(**parameters: str) -> cfn.Resolver:
    given = {name: str(body["Default"]) for name, body in TEMPLATE["Parameters"].items() if "Default" in body}
    given.update(PracticeName="P", PracticePhone="1", SenderEmail="portal@example.org", AdminEmail="admin@example.org")
    given.update(parameters)
    return cfn.Resolver(parameters=given, conditions=TEMPLATE["Conditions"])


def setting(function: str, name: str) -> Any:
    return cfn.function_setting(TEMPLATE, FUNCTIONS[function], name)


def parameters_named(value: Any) -> set[str]:
    """The template parameters a value refers to (Ref, ${} in Sub, and Fn::If's conditions)."""
    text = json.dumps(value)
    named = set(re.findall(r'"Ref": "([A-Za-z0-9]+)"', text)) | set(re.findall(r"\$\{([A-Za-z0-9]+)\}", text))
    for condition in re.findall(r'"Fn::If": \["([A-Za-z0-9]+)"', text):
        named |= parameters_named(TEMPLATE["Conditions"][condition])
    return named & set(TEMPLATE["Parameters"])


def test_the_parameter_is_off_by_default():
    parameter = TEMPLATE["Parameters"]["SnapStart"]
    assert parameter["Type"] == "String"
    assert parameter["Default"] == "Disabled"
    assert sorted(parameter["AllowedValues"]) == ["Disabled", "Enabled"]


def test_every_api_function_runs_from_a_snapshot_of_its_published_version_when_on():
    assert set(FUNCTIONS) == {*API, *BACKGROUND}
    for name in API:
        assert str(setting(name, "Runtime")).startswith("python3.1"), name
        snapstart = setting(name, "SnapStart")
        assert resolver(SnapStart="Enabled").resolve(snapstart) == {"ApplyOn": "PublishedVersions"}, name
        assert resolver().resolve(snapstart) == {"ApplyOn": "None"}, name


def test_the_background_functions_stay_on_demand_and_unversioned():
    for name in BACKGROUND:
        assert resolver(SnapStart="Enabled").resolve(setting(name, "SnapStart")) == {"ApplyOn": "None"}, name
        for versioning in ("AutoPublishAlias", "AutoPublishAliasAllProperties", "VersionDescription"):
            assert setting(name, versioning) is None, (name, versioning)


def test_each_api_function_is_invoked_through_its_alias_on_its_latest_version():
    # SnapStart never applies to $LATEST: SAM publishes a version per change and points the
    # alias at it; the API's routes then invoke the alias.
    for name in API:
        assert setting(name, "AutoPublishAlias") == "live", name
        # A new version for any change of the function (the layer included), not only its code.
        assert setting(name, "AutoPublishAliasAllProperties") is True, name
        # A replaced version is deleted: nothing invokes it, and a snapshot is billed while it exists.
        assert setting(name, "VersionDeletionPolicy") == "Delete", name


def test_a_new_parameter_value_publishes_a_new_version():
    # SAM hashes a version's properties before parameters are known
    # (aws/serverless-application-model#3820): a new practice name, session length, origin
    # secret version or SnapStart choice would change the function, not the alias's version.
    # The version's description names them, and a new description is a new version.
    description = setting("QueueFunction", "VersionDescription")
    for name in API:
        used = parameters_named(
            [GLOBALS.get("Environment"), FUNCTIONS[name]["Properties"].get("Environment"), setting(name, "SnapStart")]
        )
        assert used, name
        assert used <= parameters_named(setting(name, "VersionDescription")), (name, used)
    assert resolver(SnapStart="Enabled").resolve(description) != resolver().resolve(description)


def test_the_longest_version_description_fits_lambdas_256_characters():
    # Every parameter it names has a bound on its length, and together they fit.
    def longest(name: str) -> int:
        parameter = TEMPLATE["Parameters"][name]
        if "AllowedValues" in parameter:
            return max(len(str(value)) for value in parameter["AllowedValues"])
        if parameter["Type"] == "Number":
            return len(str(parameter["MaxValue"]))
        if "MaxLength" in parameter:
            return int(parameter["MaxLength"])
        bounds = re.findall(r"\{\d+,(\d+)\}", parameter["AllowedPattern"])
        assert bounds, name
        return int(bounds[-1])

    for name in API:
        text = setting(name, "VersionDescription")["Fn::Sub"]
        named = re.findall(r"\$\{([A-Za-z0-9]+)\}", text)
        worst = len(re.sub(r"\$\{[A-Za-z0-9]+\}", "", text)) + sum(longest(parameter) for parameter in named)
        assert worst <= 256, (name, worst)


def test_nothing_snapstart_refuses_is_configured():
    for name in FUNCTIONS:
        assert setting(name, "ProvisionedConcurrencyConfig") is None, name
        assert setting(name, "FileSystemConfigs") is None, name
        assert int((setting(name, "EphemeralStorage") or {}).get("Size", 512)) <= 512, name
        assert setting(name, "PackageType") in (None, "Zip"), name


def test_the_token_trigger_stays_on_demand():
    # Standard library only and 128 MB: a restore would cost more than its init, and Cognito
    # calls the function itself, not a version.
    assert "SnapStart" not in TEMPLATE["Resources"]["TokensFunction"]["Properties"]


TRANSFORMED = """
import json, sys
sys.path.insert(0, "scripts")
from check_transform import InlinePoliciesOnly, PARAMETERS, TEMPLATE, packaged
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse
given = {**PARAMETERS, "SnapStart": "Enabled"}
out = transform(packaged(yaml_parse(TEMPLATE.read_text())), given, InlinePoliciesOnly())
print(json.dumps(out["Resources"], default=str))
"""


def in_sam_environment(code: str) -> str:
    """Runs ``code`` with the SAM CLI's interpreter (samtranslator), and returns what it printed."""
    if not SAM_PYTHON.exists():
        pytest.skip("the SAM CLI's environment is made by `make check-template`")
    run = subprocess.run(  # noqa: S603 - the SAM environment's interpreter, fixed code
        [str(SAM_PYTHON), "-c", code],
        cwd=cfn.ROOT,
        env={"AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


@pytest.fixture(scope="module")
def transformed() -> dict[str, Any]:
    resources: dict[str, Any] = json.loads(in_sam_environment(TRANSFORMED))
    return resources


def test_the_api_the_streams_and_sns_invoke_the_alias(transformed):
    aliases = {name for name, body in transformed.items() if body["Type"] == "AWS::Lambda::Alias"}
    assert aliases == {f"{name}Aliaslive" for name in API}
    for name, body in transformed.items():
        kind, properties = body["Type"], body.get("Properties", {})
        text = json.dumps(properties)
        if kind == "AWS::Lambda::Permission" and name.startswith(API):
            assert "Aliaslive" in text, name
        # The background functions keep their mappings and subscription on the function itself
        if kind == "AWS::Lambda::EventSourceMapping":
            assert "Aliaslive" not in json.dumps(properties["FunctionName"]), name
        if kind == "AWS::SNS::Subscription" and properties.get("Protocol") == "lambda":
            assert "Aliaslive" not in json.dumps(properties["Endpoint"]), name
        if kind == "AWS::Lambda::EventInvokeConfig":
            assert properties["Qualifier"] == "$LATEST", name
        if kind == "AWS::ApiGatewayV2::Api":
            integrations = [
                operation["x-amazon-apigateway-integration"]["uri"]
                for path in properties["Body"]["paths"].values()
                for operation in path.values()
            ]
            assert len(integrations) > 50, name
            assert all("Aliaslive}" in json.dumps(uri) for uri in integrations), name
        if kind == "AWS::Lambda::Version":
            assert body["DeletionPolicy"] == "Delete", name
        if kind == "AWS::Lambda::Function" and name in API:
            assert properties["SnapStart"]["ApplyOn"]["Fn::If"][1] == "PublishedVersions", name


NEW_LAYER = """
import json, sys
sys.path.insert(0, "scripts")
from check_transform import InlinePoliciesOnly, PARAMETERS, TEMPLATE, packaged
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

def versions(layer):
    template = packaged(yaml_parse(TEMPLATE.read_text()))
    template["Resources"]["CommonLayer"]["Properties"]["ContentUri"] = f"s3://packaged-code/{layer}.zip"
    out = transform(template, PARAMETERS, InlinePoliciesOnly())
    return sorted(name for name, body in out["Resources"].items() if body["Type"] == "AWS::Lambda::Version")

print(json.dumps([versions("layer-a"), versions("layer-a"), versions("layer-b")]))
"""


def test_a_new_layer_alone_publishes_a_new_version_of_every_api_function():
    # The functions are thin handlers; a release may change the layer only.
    assert TEMPLATE["Resources"]["CommonLayer"]["Properties"]["PublishLambdaVersion"] is True
    output = in_sam_environment(NEW_LAYER)
    same, again, other = json.loads(output.strip().splitlines()[-1])
    assert len(same) == len(API)
    assert same == again
    assert not set(same) & set(other)
