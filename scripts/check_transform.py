"""Runs the SAM transform on infra/template.yaml, as CloudFormation will at deploy time.

cfn-lint and `sam validate --lint` check the template against SAM's schema but do not run
the transform, so a template they accept can still be refused by `sam deploy` (a route with
`Authorizer: NONE` on an API without a default authorizer is one). Run with the SAM venv.
"""

from __future__ import annotations

import sys
from pathlib import Path

from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "template.yaml"
PARAMETERS = {
    "PracticeName": "Check Practice",
    "PracticePhone": "555-0100",
    "SenderEmail": "portal@example.org",
    "AdminEmail": "admin@example.org",
}


class InlinePoliciesOnly:
    """The template grants only inline statements, so no managed policy needs looking up."""

    def load(self) -> dict[str, str]:
        return {}


def packaged(template: dict) -> dict:
    """What `sam package` hands CloudFormation: local code folders replaced by S3 locations."""
    for name, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        for uri in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(uri), str) and not properties[uri].startswith("s3://"):
                properties[uri] = f"s3://packaged-code/{name}.zip"
    return template


def main() -> int:
    # SAM reads the SnapStart parameter while it transforms (the functions' aliases): both ways.
    for snapstart in ("Disabled", "Enabled"):
        try:
            transformed = transform(
                packaged(yaml_parse(TEMPLATE.read_text())), {**PARAMETERS, "SnapStart": snapstart}, InlinePoliciesOnly()
            )
        except InvalidDocumentException as error:
            for cause in error.causes:
                print(f"SAM transform (SnapStart {snapstart}): {cause.message}", file=sys.stderr)
            return 1
        kinds = sorted({resource["Type"] for resource in transformed["Resources"].values()})
        print(f"SAM transform, SnapStart {snapstart}: {len(transformed['Resources'])} resources of {len(kinds)} kinds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
