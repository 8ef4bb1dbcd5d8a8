"""Cold-start hygiene (docs/performance.md "Cold requests"): the X-Ray SDK is never imported, and
rarely used heavy modules load only when a route needs them. Checked in fresh interpreters."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from local import template as cfn

AREAS = ["queue", "patients", "portal", "auth", "notify", "jobs"]


def modules_after_import(area: str) -> set[str]:
    code = (
        "import sys, json; "
        f"sys.path[:0] = [{str(cfn.ROOT / 'layers' / 'common')!r}, {str(cfn.ROOT)!r}]; "
        f"import functions.{area}.app; print(json.dumps(sorted(sys.modules)))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout  # noqa: S603
    return set(json.loads(output))


@pytest.mark.parametrize("area", AREAS)
def test_importing_a_function_loads_no_xray_and_no_password_estimator(area):
    loaded = modules_after_import(area)
    assert not {name for name in loaded if name.startswith("aws_xray_sdk")}
    assert "zxcvbn" not in loaded
    assert "boto3" not in loaded  # botocore alone (aws.py); notify sends once without Powertools' idempotency
    assert f"functions.{area}.app" in loaded
