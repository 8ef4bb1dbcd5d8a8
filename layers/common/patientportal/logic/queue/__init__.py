"""The Patient Portal Queue: working it (``items``: list, open, reply, dismiss, restore),
the archive (``archive``), the helper button (``helper_actions``), applying a demographics
request's changes (``change_sets``, through ``patients.demographics``), patients' requests
(``requests``), secure messages (``messages``) and the builder of new messages (``threads``).

Offers nothing to the other domains; the routes use it.
"""
