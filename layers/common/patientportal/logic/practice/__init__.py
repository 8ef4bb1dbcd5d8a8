"""The practice's own settings, kept by its administrators: ``settings`` (office hours, time
zone, how long an item may wait), ``hours`` (business time: open now, next opening, overdue)
and ``saved_replies`` (the texts staff start a reply from)."""
