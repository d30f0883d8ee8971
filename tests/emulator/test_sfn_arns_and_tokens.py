"""ARNs, names and page tokens of the Step Functions service layer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.sfn import arns, errors, pagination

SM = "arn:aws:states:us-east-1:123456789012:stateMachine:orders"


def test_machine_arns() -> None:
    assert arns.parse_machine(SM) == arns.MachineRef(SM, "orders")
    assert arns.parse_machine(f"{SM}:12") == arns.MachineRef(SM, "orders", version=12)
    assert arns.parse_machine(f"{SM}:live") == arns.MachineRef(SM, "orders", alias="live")
    assert arns.execution_arn(SM, "run-1") == "arn:aws:states:us-east-1:123456789012:execution:orders:run-1"
    assert arns.express_execution_arn(SM, "r", "u") == "arn:aws:states:us-east-1:123456789012:express:orders:r:u"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not_a_valid_arn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"),
        ("arn:aws:lambda:us-east-1:1:function:f", "Invalid Arn: 'Invalid ARN prefix: arn:aws:lambda:us-east-1:1:function:f'"),
        ("arn:aws:states:us-east-1:1:activity:a", "Invalid Arn: 'Resource type not valid in this context: activity'"),
    ],
)
def test_invalid_machine_arns(text: str, message: str) -> None:
    with pytest.raises(errors.SfnError) as excinfo:
        arns.parse_machine(text)
    assert (excinfo.value.code, excinfo.value.message) == ("InvalidArn", message)


def test_execution_arns() -> None:
    ref = arns.parse_execution("arn:aws:states:us-east-1:1:execution:orders:run")
    assert (ref.machine_name, ref.name, ref.express) == ("orders", "run", False)
    with pytest.raises(errors.SfnError) as excinfo:
        arns.parse_execution("arn:aws:states:us-east-1:1:express:orders:run:uuid")
    assert excinfo.value.message == "Invalid Arn: 'Resource type not valid in this context: express'"
    assert arns.parse_execution("arn:aws:states:us-east-1:1:express:orders:run:uuid", allow_express=True).express


@pytest.mark.parametrize("name", ["a", "x" * 80, "Ünïcode-ok", "dots.and_underscores-1", "(parens)", "'quote'"])
def test_valid_names(name: str) -> None:
    assert arns.valid_name(name)


@pytest.mark.parametrize(
    "name", ["", "x" * 81, "a b", "a\tb", "a<b", "a>b", "{", "}", "[", "]", "?", "*", '"', "#", "%",
             "\\", "^", "|", "~", "`", "$", "&", ",", ";", ":", "/", "\u0000", "\u001f", "\u007f", "\u0085"],
)
def test_invalid_names(name: str) -> None:
    assert not arns.valid_name(name)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=90))
def test_names_follow_the_rules(name: str) -> None:
    forbidden = set(' \t\n\r\x0b\x0c<>{}[]?*"#%\\^|~`$&,;:/')
    expected = (
        0 < len(name) <= 80
        and not any(c in forbidden or c.isspace() for c in name)
        and not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\ufffe\uffff" for c in name)
    )
    assert arns.valid_name(name) == expected


@given(st.one_of(st.integers(), st.text(), st.lists(st.integers())))
def test_page_tokens_round_trip(position: object) -> None:
    token = pagination.encode("scope", position)
    assert pagination.decode("scope", token) == position
    with pytest.raises(errors.SfnError) as excinfo:  # a token belongs to its own listing
        pagination.decode("another scope", token)
    assert excinfo.value.code == "InvalidToken"


@given(st.integers(min_value=0, max_value=10**9), st.data())
def test_altered_page_tokens_are_refused(position: int, data: st.DataObject) -> None:
    token = pagination.encode("scope", position)
    index = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    replacement = data.draw(st.sampled_from("ABCxyz0189-_"))
    altered = token[:index] + replacement + token[index + 1 :]
    if altered == token:
        return
    try:
        decoded = pagination.decode("scope", altered)
    except errors.SfnError as exc:
        assert exc.code == "InvalidToken"
    else:  # base64 padding bits can change without changing the bytes
        assert decoded == position


def test_page_size() -> None:
    assert pagination.page_size(None) == 100
    assert pagination.page_size(0) == 100
    assert pagination.page_size(7) == 7
