"""The practice's rules, one room per domain (docs/architecture.md "Rooms of logic").

- ``patients``: a patient's record, detail and portal status, and the audit trail.
- ``accounts``: signing in and out, one-time links, registration, recovery, credentials,
  portal access and the staff second factor.
- ``queue``: the Patient Portal Queue and archive, helper actions, requests and messages.
- ``onboarding``: the onboarding tool, bulk invitations, patient-list imports and their jobs.
- ``mail``: delivering the outbox and recording SES's bounces and complaints.

Nothing here calls AWS: the gateways below (``dal``, ``auth.cognito``, ``events``, ``email``)
do. Which domain may use which is the import-linter contract in ``.importlinter``.
"""
