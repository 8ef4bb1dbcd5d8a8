"""The local gateway rewrites static paths with the template's own CloudFront Function
(local.cloudfront.ViewerRequestFunction): its JavaScript, run as written."""

from __future__ import annotations

import copy

import pytest

from local import template as cfn
from local.cloudfront import ViewerRequestFunction


@pytest.fixture(scope="module")
def template() -> dict:
    return cfn.load()


@pytest.mark.parametrize(
    ("uri", "served"),
    [
        ("/staff/", "/staff/index.html"),
        ("/staff", "/staff/index.html"),
        ("/staff/onboarding", "/staff/onboarding/index.html"),
        ("/staff/accounts", "/staff/accounts/index.html"),
        ("/staff/settings", "/staff/settings/index.html"),
        ("/portal", "/portal/index.html"),
        ("/portal/js/app.js", "/portal/js/app.js"),
        ("/portal/styles", "/portal/styles"),
    ],
)
def test_the_templates_function_decides_the_path_served(template, uri, served):
    assert ViewerRequestFunction(template).uri("GET", uri) == served


def test_a_change_to_the_function_in_the_template_is_what_the_gateway_does(template):
    changed = copy.deepcopy(template)
    code = changed["Resources"]["IndexRewriteFunction"]["Properties"]
    code["FunctionCode"] = "function handler(event) { event.request.uri = '/elsewhere'; return event.request; }"
    assert ViewerRequestFunction(changed).uri("GET", "/staff/") == "/elsewhere"
