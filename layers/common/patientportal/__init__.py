"""The patient portal's shared package: models, domain logic, data access, auth and email.

Every Lambda function imports it from the layer (``/opt/python`` in Lambda, ``layers/common``
on a developer's machine).
"""
