"""Fixes to the AWS emulator where it differs from AWS in a way the portal can feel.

``apply()`` makes them all; the local runtime and the integration tests call it once.

1. moto rolls a cancelled DynamoDB transaction back by restoring a deep copy of the whole
table, and its stream with it: the stream's sequence numbers are then handed out again, and
a reader that already moved past them (Lambda's event source mapping, here
``local.streams``) silently misses the next records - the emails for replies made after any
409. DynamoDB never rewinds a stream. Sharing the stream shard between the table and its
copies keeps the stream going forward; the cancelled transaction's own records stay in it,
and notify sends nothing for them because their outbox entries are not in the table
(docs/decisions.md, 21).

2. moto answers a DynamoDB read slowly: its generic, model-driven response serializer and
its projection (every item through a deep copy and a round trip to plain JSON) cost about
1.7 ms per item, so a 200-row queue page took 350 ms in the emulator where DynamoDB answers
in milliseconds, and the staff page's load time measured the emulator rather than the page.
The result of a Query, GetItem or BatchGetItem is already DynamoDB's wire format, so it is
written out as JSON directly, and a projection of top-level attributes picks them without
copying (60 ms per page; docs/decisions.md, 35). Anything else takes moto's own path.

3. moto has no Cognito ``RevokeToken``, which sign-out uses to end the one session whose
refresh cookie it holds. The emulator gets it as Cognito documents it: the refresh token
must belong to the app client named, and once revoked it refreshes nothing (moto's own
refresh flow already refuses a token it holds as ``None``, as after a global sign-out).

4. The staff pool requires a second factor (TOTP), and moto plays that only halfway: a
password sign-in of a user who has no authenticator app yet signs straight in (Cognito
answers ``MFA_SETUP``), and it has no ``AdminDeleteSoftwareToken``, which an admin's reset
uses so that the next sign-in enrols again. The emulator answers ``MFA_SETUP`` as Cognito
does (only for a password that is right, of a confirmed, enabled user with no registered
factor; moto's own path decides everything else), and deletes a token as Cognito documents
it: the user's TOTP registration and preference go (docs/decisions.md). Codes are checked
only with ``MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true``, which the hosts of the emulator
set; every user shares moto's one secret (``local.totp``).

5. moto accepts every sign-in flow, whatever the app client allows; Cognito refuses a flow the
client's ``ExplicitAuthFlows`` does not list ("USER_PASSWORD_AUTH flow not enabled for this
client"). The emulator refuses it too, so a flow the template forgot to allow fails here
before it fails on AWS.

7. moto prepares every DynamoDB transaction by deep-copying each table it names, items and
all, to restore the copy if the transaction is cancelled: with a few thousand items every
reply or dismissal cost the emulator tens of milliseconds and held memory, and under load
the functions timed out waiting for it. DynamoDB's work is the transaction's own items.
``copy_only_what_a_transaction_touches`` saves just those items before moto runs it and
puts them back if it fails; moto's copy of the table is then the table itself.

6. moto's DynamoDB is not safe for concurrent requests, which the local runtime makes (each
function in processes of its own): it prepares every transaction by copying the whole table
and rolls a cancelled one back by restoring that copy, wiping out whatever another request
wrote meanwhile (the load run lost requests that had been answered 201). DynamoDB keeps each
item's writes atomic and isolated. ``one_dynamodb_call_at_a_time`` serves DynamoDB and its
streams (both sign as ``dynamodb``) one call at a time, as moto was served when one process
made every call; every other service is served as moto serves it.
8. moto's AdminCreateUser sends nothing. Cognito emails a new user an invitation (unless
the call says ``MessageAction: SUPPRESS``) with the username and a temporary password it
generates when the call gives none, in the words of the pool's ``InviteMessageTemplate``.
The emulator does the same, into the development mailbox: the template's first
administrator, and every member of staff an administrator adds, gets the email and signs in
with it as on AWS (temporary password, new password, authenticator app).
"""

from __future__ import annotations

import copy
import functools
import json
import secrets
import string
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from moto.cognitoidp.exceptions import InvalidParameterException, NotAuthorizedError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool, UserStatus
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import StreamShard, Table
from moto.dynamodb.responses import DynamoHandler
from moto.ses.models import ses_backends

DIRECT_READS = ("query", "get_item", "batch_get_item")


def _shared(shard: StreamShard, memo: dict[int, Any]) -> StreamShard:
    memo[id(shard)] = shard
    return shard


def keep_streams_through_rollbacks() -> None:
    StreamShard.__deepcopy__ = _shared  # type: ignore[attr-defined]


def as_json(result: object) -> str:
    return json.dumps(result)


def _answered_directly(action: Callable[[DynamoHandler], Any]) -> Callable[[DynamoHandler], Any]:
    def answer(handler: DynamoHandler) -> Any:
        result = action(handler)
        if not isinstance(result, ActionResult):
            return result
        try:
            return as_json(result.result)
        except TypeError:  # a value JSON cannot hold as it is (binary): moto's serializer
            return result

    answer.moto_own = action  # type: ignore[attr-defined]
    return answer


def _project(original: Callable[[Item, list[list[str]]], Item]) -> Callable[[Item, list[list[str]]], Item]:
    def project(item: Item, expressions: list[list[str]]) -> Item:
        if any(len(path) != 1 for path in expressions):  # nested paths: moto's own way
            return original(item, expressions)
        picked: Any = Item.__new__(Item)
        picked.__dict__.update(item.__dict__)
        picked.attrs = {path[0]: item.attrs[path[0]] for path in expressions if path[0] in item.attrs}
        result: Item = picked
        return result

    project.moto_own = original  # type: ignore[attr-defined]
    return project


def answer_reads_directly() -> None:
    """Idempotent: each replacement keeps moto's own function as ``moto_own``. (moto's
    actions are decorated with ``functools.wraps``, so ``__wrapped__`` cannot be the mark.)"""
    for name in DIRECT_READS:
        action = getattr(DynamoHandler, name)
        if not hasattr(action, "moto_own"):
            setattr(DynamoHandler, name, _answered_directly(action))
    if not hasattr(Item.project, "moto_own"):
        Item.project = _project(Item.project)  # type: ignore[method-assign,assignment]


def _revoke_token(backend: CognitoIdpBackend, token: str, client_id: str) -> None:
    for pool in backend.user_pools.values():
        held = pool.refresh_tokens.get(token)
        if held is not None:
            if held[0] != client_id:
                raise NotAuthorizedError("The refresh token was not issued to this client.")
            pool.refresh_tokens[token] = None
            return
    # Cognito answers an unknown or already revoked token without an error.


def _revoke_token_action(handler: CognitoIdpResponse) -> EmptyResult:
    _revoke_token(handler.backend, handler._get_param("Token"), handler._get_param("ClientId"))
    return EmptyResult()


def add_revoke_token() -> None:
    CognitoIdpResponse.revoke_token = _revoke_token_action  # type: ignore[attr-defined]


def _needs_mfa_setup(
    backend: CognitoIdpBackend, client_id: str, auth_flow: str, parameters: dict[str, str]
) -> tuple[str, CognitoIdpUserPool] | None:
    """The user and pool of a password sign-in that Cognito answers with MFA_SETUP."""
    if auth_flow != "USER_PASSWORD_AUTH":
        return None
    pool = next((pool for pool in backend.user_pools.values() if client_id in pool.clients), None)
    if pool is None or pool.mfa_config != "ON":
        return None
    user = pool._get_user(parameters.get("USERNAME", ""))
    if user is None or not user.enabled or user.password != parameters.get("PASSWORD"):
        return None
    if user.status is not UserStatus.CONFIRMED or user.token_verified or user.sms_mfa_enabled:
        return None
    return user.username, pool


def _asks_for_mfa_setup(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def initiate_auth(
        backend: CognitoIdpBackend, client_id: str, auth_flow: str, auth_parameters: dict[str, str]
    ) -> dict[str, Any]:
        found = _needs_mfa_setup(backend, client_id, auth_flow, auth_parameters or {})
        if found is None:
            return original(backend, client_id, auth_flow, auth_parameters)
        session = str(uuid.uuid4())
        backend.sessions[session] = found
        return {
            "ChallengeName": "MFA_SETUP",
            "ChallengeParameters": {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'},
            "Session": session,
        }

    initiate_auth.moto_own = original  # type: ignore[attr-defined]
    return initiate_auth


def _delete_software_token_action(handler: CognitoIdpResponse) -> EmptyResult:
    user = handler.backend.admin_get_user(handler._get_param("UserPoolId"), handler._get_param("Username"))
    user.token_verified = False
    user.software_token_mfa_enabled = False
    if user.preferred_mfa_setting == "SOFTWARE_TOKEN_MFA":
        user.preferred_mfa_setting = ""
    return EmptyResult()


def require_mfa_as_cognito_does() -> None:
    if not hasattr(CognitoIdpBackend.initiate_auth, "moto_own"):
        CognitoIdpBackend.initiate_auth = _asks_for_mfa_setup(CognitoIdpBackend.initiate_auth)  # type: ignore[method-assign]
    CognitoIdpResponse.admin_delete_software_token = _delete_software_token_action  # type: ignore[attr-defined]


# The ExplicitAuthFlows value that allows each sign-in flow (and the legacy names Cognito
# still reads), and what a client without the setting allows.
ALLOWED_BY = {
    "USER_PASSWORD_AUTH": {"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"},
    "REFRESH_TOKEN_AUTH": {"ALLOW_REFRESH_TOKEN_AUTH"},
    "REFRESH_TOKEN": {"ALLOW_REFRESH_TOKEN_AUTH"},
    "USER_SRP_AUTH": {"ALLOW_USER_SRP_AUTH"},
    "CUSTOM_AUTH": {"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"},
    "ADMIN_USER_PASSWORD_AUTH": {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
    "ADMIN_NO_SRP_AUTH": {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
}
COGNITO_DEFAULT_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def refuse_flows_the_client_does_not_allow(backend: CognitoIdpBackend, client_id: str, auth_flow: str) -> None:
    for pool in backend.user_pools.values():
        client = pool.clients.get(client_id)
        if client is not None:
            allowed = set(client.extended_config.get("ExplicitAuthFlows") or COGNITO_DEFAULT_FLOWS)
            if not allowed & ALLOWED_BY.get(auth_flow, {auth_flow}):
                raise InvalidParameterException(f"{auth_flow} flow not enabled for this client")
            return


def _checks_flows(original: Callable[..., dict[str, Any]], *, admin: bool) -> Callable[..., dict[str, Any]]:
    def initiate(backend: CognitoIdpBackend, *arguments: Any) -> dict[str, Any]:
        client_id, auth_flow = (arguments[1], arguments[2]) if admin else (arguments[0], arguments[1])
        refuse_flows_the_client_does_not_allow(backend, client_id, str(auth_flow))
        return original(backend, *arguments)

    functools.update_wrapper(initiate, original)  # keeps what another fix marked on it
    initiate.flows_checked = True  # type: ignore[attr-defined]
    return initiate


def allow_only_the_clients_flows() -> None:
    if not hasattr(CognitoIdpBackend.initiate_auth, "flows_checked"):
        CognitoIdpBackend.initiate_auth = _checks_flows(CognitoIdpBackend.initiate_auth, admin=False)  # type: ignore[method-assign]
    if not hasattr(CognitoIdpBackend.admin_initiate_auth, "flows_checked"):
        CognitoIdpBackend.admin_initiate_auth = _checks_flows(CognitoIdpBackend.admin_initiate_auth, admin=True)  # type: ignore[method-assign]


# Cognito's own sender and words, for a pool that sets no EmailConfiguration or template.
COGNITO_SENDER = "no-reply@verificationemail.com"
COGNITO_INVITATION = ("Your temporary password", "Your username is {username} and temporary password is {####}.")


def temporary_password(pool: CognitoIdpUserPool) -> str:
    """One that meets the pool's password policy, as Cognito generates it."""
    policy = pool.extended_config.get("Policies", {}).get("PasswordPolicy", {})
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "^$*.[]{}()?-!@#%&")
    length = max(int(policy.get("MinimumLength", 8)), 12)
    chosen = [secrets.choice(characters) for characters in classes]  # one of each, whatever it requires
    chosen += [secrets.choice(string.ascii_letters + string.digits) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


def send_invitation(handler: CognitoIdpResponse, pool: CognitoIdpUserPool, username: str, password: str) -> None:
    user = pool._get_user(username)
    address = next((item["Value"] for item in user.attributes if item["Name"] == "email"), "")
    if not address:
        return
    template = pool.extended_config.get("AdminCreateUserConfig", {}).get("InviteMessageTemplate", {})
    subject = template.get("EmailSubject") or COGNITO_INVITATION[0]
    body = (template.get("EmailMessage") or COGNITO_INVITATION[1]).replace("{username}", username)
    ses = ses_backends[handler.current_account][handler.region]
    ses.verify_email_identity(COGNITO_SENDER)  # Cognito's sender needs no identity of the account's
    ses.send_email(COGNITO_SENDER, subject, body.replace("{####}", password), {"ToAddresses": [address]})


def _admin_create_user_action(handler: CognitoIdpResponse) -> ActionResult:
    pool = handler.backend.describe_user_pool(handler._get_param("UserPoolId"))
    mediums = handler._get_param("DesiredDeliveryMediums") or ["SMS"]
    invites = handler._get_param("MessageAction") != "SUPPRESS" and "EMAIL" in mediums
    password: str | None = handler._get_param("TemporaryPassword") or (temporary_password(pool) if invites else None)
    user = handler.backend.admin_create_user(
        pool.id,
        handler._get_param("Username"),
        handler._get_param("MessageAction"),
        password,  # type: ignore[arg-type]  # moto takes None when no password is given
        handler._get_param("UserAttributes", []),
    )
    if invites and password:
        send_invitation(handler, pool, user.username, password)
    return ActionResult({"User": user.to_json(extended=True)})


def send_invitations() -> None:
    CognitoIdpResponse.admin_create_user = _admin_create_user_action  # type: ignore[method-assign,assignment]


_IN_TRANSACTION = threading.local()


class _TablesNotCopiedInTransactions:
    """``copy`` as moto's DynamoDB models see it: during a transaction a table is "copied" as
    itself (fix 7 restores what the transaction touched); everything else is copied."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if getattr(_IN_TRANSACTION, "active", False) and isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


def _key_of(table: Table, op_type: str, op: dict[str, Any]) -> tuple[DynamoType, DynamoType | None]:
    key = op["Item"] if op_type == "Put" else op["Key"]
    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return DynamoType(key[table.hash_key_attr]), range_value


def _put_back(table: Table, hash_value: DynamoType, range_value: DynamoType | None, item: Item | None) -> None:
    """The item as it was before the transaction (no stream record: the cancelled writes'
    own records stay, as fix 1 says)."""
    if range_value is None:
        if item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item  # type: ignore[assignment]  # moto keeps a hash-only item there
    elif item is None:
        table.items.get(hash_value, {}).pop(range_value, None)
    else:
        table.items[hash_value][range_value] = item


def _transaction_restoring_its_items(original: Callable[..., None]) -> Callable[..., None]:
    def transact_write_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        saved = []
        for entry in transact_items:
            op_type, op = next(iter(entry.items()))
            table = backend.tables.get(op.get("TableName", "")) if isinstance(op, dict) else None
            if table is None:
                continue
            try:
                hash_value, range_value = _key_of(table, op_type, op)
            except (KeyError, TypeError):
                continue  # moto refuses the entry itself
            saved.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
        _IN_TRANSACTION.active = True
        try:
            original(backend, transact_items)
        except Exception:
            for table, hash_value, range_value, item in reversed(saved):
                _put_back(table, hash_value, range_value, item)
            raise
        finally:
            _IN_TRANSACTION.active = False

    transact_write_items.restores_items = True  # type: ignore[attr-defined]
    return transact_write_items


def copy_only_what_a_transaction_touches() -> None:
    if not hasattr(DynamoDBBackend.transact_write_items, "restores_items"):
        setattr(dynamodb_models, "copy", _TablesNotCopiedInTransactions())  # noqa: B010 - moto's module global
        DynamoDBBackend.transact_write_items = _transaction_restoring_its_items(  # type: ignore[method-assign]
            DynamoDBBackend.transact_write_items
        )


def apply() -> None:
    keep_streams_through_rollbacks()
    answer_reads_directly()
    add_revoke_token()
    require_mfa_as_cognito_does()
    allow_only_the_clients_flows()
    copy_only_what_a_transaction_touches()
    send_invitations()


_DYNAMODB = threading.Lock()
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def one_dynamodb_call_at_a_time(app: WsgiApp) -> WsgiApp:
    """The emulator's WSGI application with DynamoDB's calls taken one at a time (fix 6)."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "/dynamodb/aws4_request" not in environ.get("HTTP_AUTHORIZATION", ""):
            return app(environ, start_response)
        with _DYNAMODB:
            return list(app(environ, start_response))  # the whole answer, inside the lock

    return application
