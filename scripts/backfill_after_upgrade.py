"""Bring every patient's derived attributes up to date, once, after upgrading a stack:
the patient search's keys (first-name and date-of-birth indexes) and the stored portal status
under the current rule (docs/data-model.md, "Upgrading a stack").

Usage: python scripts/backfill_after_upgrade.py --table-name NAME [--region REGION]

The table name is the stack's output TableName. Patients are read page by page from the
Roster index and each one that needs it gets one conditional UpdateItem
(``patientportal.dal.patients.backfill_after_upgrade``); running it again writes nothing.
Until it has run, patients written before the upgrade are found by last name only, and
their stored status (onboarding colours and counts) may follow the older rule.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table-name", required=True, help="the stack's output TableName")
    parser.add_argument("--region", help="defaults to AWS_REGION or AWS_DEFAULT_REGION")
    arguments = parser.parse_args(argv)
    if arguments.region:
        os.environ["AWS_DEFAULT_REGION"] = arguments.region
    sys.path.insert(0, str(ROOT / "layers" / "common"))
    from patientportal.dal import patients  # noqa: PLC0415 - the layer, from this checkout
    from patientportal.dal.table import Table  # noqa: PLC0415

    updated = patients.backfill_after_upgrade(table=Table(arguments.table_name))
    print(f"{updated} patient(s) brought up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
