"""The portal's own DynamoDB value conversion agrees with boto3's for what the portal stores."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from patientportal.dal.attributes import deserialize, from_attributes, serialize, to_attributes

VALUES = [
    "text",
    "",
    0,
    42,
    -7,
    3.5,
    True,
    False,
    None,
    {"a": 1, "b": ["x", {"c": False}]},
    [1, "two", 3.25],
    {"tag-b", "tag-a"},
]


@pytest.mark.parametrize("value", VALUES)
def test_serialize_matches_boto3(value):
    if isinstance(value, set):
        expected = {"SS": sorted(TypeSerializer().serialize(value)["SS"])}
    else:  # boto3 wants Decimal where the portal accepts float
        expected = TypeSerializer().serialize(json.loads(json.dumps(value), parse_float=Decimal))
    assert serialize(value) == expected


@pytest.mark.parametrize("value", VALUES)
def test_values_round_trip(value):
    back = deserialize(serialize(value))
    assert back == (sorted(value) if isinstance(value, set) else value)


def test_numbers_come_back_as_int_or_float_like_boto3_decimals():
    boto3_value = TypeDeserializer().deserialize({"N": "12"})
    assert deserialize({"N": "12"}) == boto3_value
    assert isinstance(deserialize({"N": "12"}), int)
    assert deserialize({"N": "1.5"}) == 1.5
    assert deserialize({"N": "1E+2"}) == 100


def test_none_attributes_are_left_out_of_items_and_maps():
    assert to_attributes({"a": "x", "b": None}) == {"a": {"S": "x"}}
    assert from_attributes(to_attributes({"m": {"keep": 1, "drop": None}})) == {"m": {"keep": 1}}


def test_unsupported_values_are_refused_clearly():
    with pytest.raises(TypeError, match="bytes"):
        serialize(b"raw")
    with pytest.raises(TypeError, match="B"):
        deserialize({"B": b"raw"})
