"""The local runtime: the whole stack on one machine, built from infra/template.yaml
(docs/architecture.md "The local runtime"). For evaluation, development and tests; real use is
the deployed stack.

Lambda puts the layer at /opt/python; here the layer's folder goes on the path the same way,
so the functions import ``patientportal`` exactly as they do in Lambda.
"""

import sys
from pathlib import Path

LAYER = str(Path(__file__).resolve().parent.parent / "layers" / "common")
if LAYER not in sys.path:
    sys.path.insert(0, LAYER)
