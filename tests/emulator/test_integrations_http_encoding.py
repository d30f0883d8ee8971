"""URL encoding in HTTP Tasks: query parameters, string bodies and ``URL_ENCODED`` bodies
with each ``ArrayFormat``, checked on the wire of a real endpoint and on the encoder itself.
https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html#url-encode-request-body
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from http_endpoint import Endpoint, run_one

from emulator.integrations.http_encoding import form_body, query_pairs
from emulator.integrations.http_errors import HttpTaskError


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    with Endpoint() as running:
        yield running


def test_a_string_request_body_is_sent_as_it_is(endpoint: Endpoint) -> None:
    result = run_one(
        {
            "ApiEndpoint": f"{endpoint.url}/echo?fixed=1",
            "Method": "PUT",
            "Headers": {"Content-Type": "text/csv"},
            "QueryParameters": {"more": "2"},
            "RequestBody": "a,b\n1,2\n",
        }
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    (request,) = endpoint.requests
    assert (request.method, request.query) == ("PUT", "fixed=1&more=2")
    assert request.header("Content-Type") == "text/csv"
    assert request.body == b"a,b\n1,2\n"


@pytest.mark.parametrize(
    ("array_format", "expected"),
    [
        ("INDICES", "array%5B0%5D=a&array%5B1%5D=b%20c&meta%5Bk%5D=v&n=1"),
        ("REPEAT", "array=a&array=b%20c&meta%5Bk%5D=v&n=1"),
        ("COMMAS", "array=a%2Cb%20c&meta%5Bk%5D=v&n=1"),
        ("BRACKETS", "array%5B%5D=a&array%5B%5D=b%20c&meta%5Bk%5D=v&n=1"),
    ],
)
def test_url_encoded_body_follows_the_array_format(
    endpoint: Endpoint, array_format: str, expected: str
) -> None:
    result = run_one(
        {
            "ApiEndpoint": f"{endpoint.url}/echo",
            "Method": "POST",
            "Headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "RequestBody": {"array": ["a", "b c"], "meta": {"k": "v"}, "n": 1},
            "Transform": {
                "RequestBodyEncoding": "URL_ENCODED",
                "RequestEncodingOptions": {"ArrayFormat": array_format},
            },
        }
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    (request,) = endpoint.requests
    assert request.body.decode() == expected
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    decoded = parse_qs(request.body.decode())
    assert decoded["meta[k]"] == ["v"]


def test_url_encoding_matches_aws_stripe_example(endpoint: Endpoint) -> None:
    # The request AWS shows for its HTTP Task example (call-https-apis.html, HTTP Task example).
    result = run_one(
        {
            "ApiEndpoint": f"{endpoint.url}/echo",
            "Method": "POST",
            "Headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "RequestBody": {
                "description": "Monthly subscription",
                "metadata": {"order_details": "monthly report data"},
                "customer.$": "$.customer_id",
            },
            "Transform": {
                "RequestBodyEncoding": "URL_ENCODED",
                "RequestEncodingOptions": {"ArrayFormat": "INDICES"},
            },
        },
        {"customer_id": "1234567890"},
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert endpoint.requests[0].body == (
        b"description=Monthly%20subscription&metadata%5Border_details%5D=monthly%20report%20data"
        b"&customer=1234567890"
    )


def test_nested_arrays_and_objects_encode_recursively() -> None:
    body = {"a": [[1, 2], {"b": None}], "empty": [], "none": {}, "t": False}
    assert (
        form_body(body, "INDICES") == "a%5B0%5D%5B0%5D=1&a%5B0%5D%5B1%5D=2&a%5B1%5D%5Bb%5D=&t=false"
    )
    assert form_body(body, "BRACKETS") == "a%5B%5D%5B%5D=1&a%5B%5D%5B%5D=2&a%5B%5D%5Bb%5D=&t=false"
    assert form_body(body, "REPEAT") == "a=1&a=2&a%5Bb%5D=&t=false"
    assert form_body({"x": ["é", "&"]}, "COMMAS") == "x=%C3%A9%2C%26"


def test_query_parameters_as_an_object_or_a_query_string() -> None:
    assert query_pairs({"a": [1, 2.5], "b": None, "c": "x y"}) == [
        ("a", "1"),
        ("a", "2.5"),
        ("b", ""),
        ("c", "x y"),
    ]
    assert query_pairs("?a=1&b=&c=x%20y") == [("a", "1"), ("b", ""), ("c", "x y")]
    with pytest.raises(HttpTaskError) as refused:
        query_pairs([1, 2])
    assert (refused.value.error, refused.value.cause) == (
        "States.Runtime",
        "The QueryParameters field must be a JSON object or a string, got an array",
    )
