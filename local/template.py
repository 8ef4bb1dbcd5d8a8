"""Reading infra/template.yaml: CloudFormation's YAML tags and the intrinsic functions the
template uses, resolved against the emulated stack's names, so nothing is defined twice."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "template.yaml"

NO_VALUE = {"Ref": "AWS::NoValue"}
INTRINSICS = ("Ref", "Sub", "GetAtt", "If", "Join", "Equals", "Not", "Select", "Split", "Condition")
# ``{{resolve:secretsmanager:...}}``: resolved by CloudFormation at deploy time, locally by ``Resolver.dynamic``.
DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:(.+?)\}\}")


class TemplateLoader(yaml.SafeLoader):
    """SafeLoader plus the short forms ``!Ref``, ``!Sub``, ``!GetAtt`` and the rest."""


def _tag_constructor(name: str) -> Callable[[yaml.SafeLoader, yaml.Node], dict[str, Any]]:
    key = "Ref" if name == "Ref" else f"Fn::{name}"

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        elif isinstance(node, yaml.MappingNode):
            value = loader.construct_mapping(node, deep=True)
        else:
            raise yaml.constructor.ConstructorError(None, None, f"unexpected !{name}", node.start_mark)
        return {key: value}

    return construct


for _name in INTRINSICS:
    TemplateLoader.add_constructor(f"!{_name}", _tag_constructor(_name))


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    # TemplateLoader is yaml.SafeLoader with only CloudFormation's intrinsic tags added (each
    # turned into a plain dict above), so it builds no Python object a safe_load would not.
    text = path.read_text()
    document: dict[str, Any] = yaml.load(text, Loader=TemplateLoader)  # noqa: S506  # nosec B506 # a SafeLoader, see above
    return document


@dataclass
class Resolver:
    """Resolves intrinsic functions. ``refs`` and ``attributes`` hold what the emulator made;
    ``dynamic`` answers dynamic references (the text between ``{{resolve:`` and ``}}``)."""

    parameters: Mapping[str, str]
    refs: dict[str, str] = field(default_factory=dict)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)
    conditions: Mapping[str, Any] = field(default_factory=dict)
    pseudo: Mapping[str, str] = field(default_factory=dict)
    dynamic: Callable[[str], str] | None = None

    def ref(self, name: str) -> str:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.refs:
            return self.refs[name]
        raise KeyError(f"nothing to resolve Ref {name} to")

    def attribute(self, resource: str, name: str) -> str:
        if (resource, name) not in self.attributes:
            raise KeyError(f"nothing to resolve GetAtt {resource}.{name} to")
        return self.attributes[(resource, name)]

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.conditions[name]))

    def substitute(self, text: str, extra: Mapping[str, Any] | None = None) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if extra and name in extra:
                return str(self.resolve(extra[name]))
            if "." in name and not name.startswith("AWS::"):
                resource, attribute = name.split(".", 1)
                return self.attribute(resource, attribute)
            return self.ref(name)

        return re.sub(r"\$\{([^}!]+)\}", replace, text)

    def dereference(self, text: str) -> str:
        dynamic = self.dynamic
        if dynamic is None or "{{resolve:" not in text:
            return text
        return DYNAMIC_REFERENCE.sub(lambda match: dynamic(match.group(1)), text)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.dereference(value)
        if isinstance(value, list):
            return [self.resolve(item) for item in value if item != NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            intrinsic = self._intrinsics().get(key)
            if intrinsic is not None:
                return intrinsic(argument)
        return {key: self.resolve(inner) for key, inner in value.items() if inner != NO_VALUE}

    def _intrinsics(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "Ref": self.ref,
            "Fn::GetAtt": lambda argument: self.attribute(argument[0], argument[1]),
            "Fn::Sub": lambda argument: self.dereference(
                self.substitute(argument[0], argument[1]) if isinstance(argument, list) else self.substitute(argument)
            ),
            "Fn::If": lambda argument: self.resolve(argument[1] if self.condition(argument[0]) else argument[2]),
            "Fn::Join": lambda argument: str(argument[0]).join(str(self.resolve(part)) for part in argument[1]),
            "Fn::Equals": lambda argument: self.resolve(argument[0]) == self.resolve(argument[1]),
            "Fn::Not": lambda argument: not self.resolve(argument[0]),
            "Condition": self.condition,
        }


def resources_of_type(template: Mapping[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: body for name, body in template["Resources"].items() if body["Type"] == kind}


@dataclass(frozen=True)
class Route:
    function: str
    method: str
    path: str
    authorizer: str | None

    @property
    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(r"\\\{([^}+]+)\\\+\\\}", r"(?P<\1>.+)", re.escape(self.path))
        regex = re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", regex)
        return re.compile(f"^{regex}$")


def default_authorizers(template: Mapping[str, Any]) -> dict[str, str | None]:
    """Each HTTP API's ``DefaultAuthorizer``: what a route without ``Auth`` gets."""
    return {
        name: body["Properties"].get("Auth", {}).get("DefaultAuthorizer")
        for name, body in resources_of_type(template, "AWS::Serverless::HttpApi").items()
    }


def http_routes(template: Mapping[str, Any]) -> list[Route]:
    """Every ``HttpApi`` event of every function: the routes API Gateway would serve."""
    defaults = default_authorizers(template)
    routes = []
    for name, body in resources_of_type(template, "AWS::Serverless::Function").items():
        for event in body["Properties"].get("Events", {}).values():
            if event["Type"] != "HttpApi":
                continue
            properties = event["Properties"]
            api = properties.get("ApiId", {}).get("Ref", "ServerlessHttpApi")
            authorizer = properties.get("Auth", {}).get("Authorizer", defaults.get(api))
            routes.append(
                Route(
                    function=name,
                    method=properties["Method"].upper(),
                    path=properties["Path"],
                    authorizer=None if authorizer in (None, "NONE") else authorizer,
                )
            )
    return routes


def function_area(function_body: Mapping[str, Any]) -> str:
    """``../functions/queue`` -> ``queue``: the module tests import as ``functions.queue.app``."""
    return Path(function_body["Properties"]["CodeUri"]).name


def function_setting(template: Mapping[str, Any], function_body: Mapping[str, Any], name: str) -> Any:
    """A SAM function's own property, else the template's Globals for every function."""
    own = function_body.get("Properties", {})
    if name in own:
        return own[name]
    return template.get("Globals", {}).get("Function", {}).get(name)
