"""Onboarding: the tool's list and counts (``overview``), bulk invitations
(``bulk_invitations``), importing a patient list (``imports``, reading the file in
``import_file``), and the background jobs that run both (``jobs``, ``job_runner``).

Offers nothing to the other domains; the routes and the jobs worker use it.
"""
