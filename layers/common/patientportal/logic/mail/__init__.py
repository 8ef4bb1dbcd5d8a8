"""Mail: delivering outbox entries through SES (``delivery``) and recording SES's bounces
and complaints on the patient (``feedback``).

Offers nothing to the other domains; the notify function uses it.
"""
