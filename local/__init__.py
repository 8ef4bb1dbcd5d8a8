"""The local runtime: the whole stack on one machine, built from infra/template.yaml
(ARCHITECTURE §7). For evaluation, development and tests; real use is the deployed stack."""
