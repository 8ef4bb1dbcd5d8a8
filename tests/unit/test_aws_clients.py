"""How the layer makes its AWS clients (docs/decisions.md 66): one botocore session for all
of them, whose loader knows only the layer's services, and no client-side validation."""

from __future__ import annotations

import pytest
from botocore.exceptions import UnknownServiceError
from botocore.validate import ParamValidationDecorator

from patientportal import aws


@pytest.fixture(autouse=True)
def fresh_clients():
    aws.forget_clients()
    yield
    aws.forget_clients()


def test_every_client_shares_one_session_and_its_loader():
    clients = [aws.dynamodb(), aws.cognito(), aws.sesv2(), aws.ses(), aws.eventbridge()]
    assert len(aws._session) == 1
    loader = aws._session[0].get_component("data_loader")
    assert isinstance(loader, aws._LayerLoader)
    # the loader lists the layer's services without reading botocore's folders
    assert loader.list_available_services("service-2") == list(aws.SERVICES)
    assert sorted(client.meta.service_model.service_name for client in clients) == sorted(aws.SERVICES)


def test_a_service_the_layer_does_not_use_is_refused_by_name():
    with pytest.raises(UnknownServiceError):
        aws._client("s3")


def test_requests_are_not_validated_client_side_and_retries_are_standard():
    client = aws.dynamodb()
    # botocore wraps the serializer in its validator unless told not to (client.meta.config
    # does not show the setting; the serializer does)
    assert not isinstance(client._serializer, ParamValidationDecorator)
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}
