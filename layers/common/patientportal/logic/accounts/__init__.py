"""Accounts: signing in and out (``sessions``), the staff second factor (``second_factor``),
the staff accounts an administrator manages (``staff_members``), one-time links
(``links``), online registration (``registration``), "create my account" and "I forgot my
password" (``recovery``), usernames and passwords (``credentials``), portal access and
invitations (``access``), the patient's profile (``profile``) and the checks every signed-in
request passes (``request_checks``).

Offered to the other domains: ``access`` (onboarding's bulk invitations send each one as a
single invitation is sent). The rest is this room's own.
"""
