"""Both pools' pre token generation trigger (event version V2_0; the template's LambdaConfig).

Every access token Cognito issues, at sign-in and at each refresh, loses the scope
``aws.cognito.signin.user.admin``. That scope is what lets a token call Cognito's own
self-service API directly (ChangePassword, UpdateUserAttributes, DeleteUser,
SetUserMFAPreference, GetUser, GlobalSignOut...): the pools' app clients are public, so a
patient with their token could otherwise set a password the portal's policy refuses. The
portal's API never needs the scope: it calls Cognito with its own IAM role, and revokes
sessions with their refresh tokens. Groups are handed back as they came (an empty group
override would remove them from both tokens). Standard library only: this runs on every
sign-in and token refresh.
"""

from typing import Any

SELF_SERVICE_SCOPE = "aws.cognito.signin.user.admin"


def handler(event: dict[str, Any], _context: object) -> dict[str, Any]:
    request = event.get("request") or {}
    event["response"] = {
        "claimsAndScopeOverrideDetails": {
            "accessTokenGeneration": {"scopesToSuppress": [SELF_SERVICE_SCOPE]},
            "groupOverrideDetails": request.get("groupConfiguration") or {},
        }
    }
    return event
