"""TestState through boto3 against ``stepline serve``: inspection levels, mocked and real
Tasks, retriers and catchers, context, variables, stateName, Map and Parallel (the checks
and refusals are in test_api_test_state_checks.py).

Expected shapes follow AWS's recorded responses (LocalStack tests/aws/services/stepfunctions/
v2/test_state/*.snapshot.json)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from serving import ECHO, ROLE, error_of

LAMBDA = "arn:aws:states:::lambda:invoke"
NESTED = {"initialData": {"fieldFromInput": "value from input", "otherField": "other"},
          "unrelatedData": {"someOtherField": 1234}}  # fmt: skip


def run(sfn: Any, state: dict[str, Any], data: Any = None, **params: Any) -> dict[str, Any]:
    response = sfn.test_state(definition=json.dumps(state), input=json.dumps(data or {}), **params)
    response.pop("ResponseMetadata", None)
    return response


def decoded(inspection: dict[str, Any]) -> dict[str, Any]:
    return {k: json.loads(v) if isinstance(v, str) else v for k, v in inspection.items()}


def refused(sfn: Any, state: dict[str, Any], data: Any = None, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        run(sfn, state, data, **params)
    return error_of(excinfo)


# ------------------------------------------------------------------ inspection levels


IO_PASS = {"Type": "Pass", "InputPath": "$.initialData", "ResultPath": "$.modifiedData",
           "Parameters": {"staticValue": "some value", "inputValue.$": "$.fieldFromInput"},
           "End": True}  # fmt: skip


def test_info_returns_no_inspection_data(sfn: Any) -> None:
    response = run(sfn, IO_PASS, NESTED, inspectionLevel="INFO")
    assert response.keys() == {"output", "status"}
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["output"])["modifiedData"] == {
        "staticValue": "some value", "inputValue": "value from input"}  # fmt: skip


@pytest.mark.parametrize("level", ["DEBUG", "TRACE"])
def test_jsonpath_pass_reports_every_step(sfn: Any, level: str) -> None:
    response = run(sfn, IO_PASS, NESTED, inspectionLevel=level)
    parameters = {"staticValue": "some value", "inputValue": "value from input"}
    assert decoded(response["inspectionData"]) == {
        "input": NESTED,
        "afterInputPath": NESTED["initialData"],
        "afterParameters": parameters,
        "afterResultSelector": parameters,
        "afterResultPath": {**NESTED, "modifiedData": parameters},
    }


def test_pass_with_result_reports_result_not_parameters(sfn: Any) -> None:
    state = {"Type": "Pass", "InputPath": "$.initialData", "Result": {"resultKey": "result value"},
             "ResultPath": "$.modifiedData", "End": True}  # fmt: skip
    response = run(sfn, state, NESTED, inspectionLevel="DEBUG")
    assert decoded(response["inspectionData"]) == {
        "input": NESTED,
        "result": {"resultKey": "result value"},
        "afterResultSelector": {"resultKey": "result value"},
        "afterResultPath": {**NESTED, "modifiedData": {"resultKey": "result value"}},
    }


def test_fail_succeed_and_choice(sfn: Any) -> None:
    fail = run(sfn, {"Type": "Fail", "Error": "SomeFailure", "Cause": "It failed."},
               {"Value": "HelloWorld"}, inspectionLevel="DEBUG")  # fmt: skip
    assert fail == {"status": "FAILED", "error": "SomeFailure", "cause": "It failed.",
                    "inspectionData": {"input": '{"Value": "HelloWorld"}',
                                       "afterInputPath": '{"Value": "HelloWorld"}'}}  # fmt: skip
    succeed = run(sfn, {"Type": "Succeed", "InputPath": "$.Value"}, {"Value": "Hi"})
    assert (succeed["status"], json.loads(succeed["output"])) == ("SUCCEEDED", "Hi")
    choice = {
        "Type": "Choice",
        "Default": "Other",
        "Choices": [{"Variable": "$.value", "NumericGreaterThanEquals": 20, "Next": "Twenties"}],
    }
    response = run(sfn, choice, {"type": "Private", "value": 22}, inspectionLevel="DEBUG")
    assert (response["status"], response["nextState"]) == ("SUCCEEDED", "Twenties")
    assert json.loads(response["output"]) == {"type": "Private", "value": 22}
    assert decoded(response["inspectionData"]).keys() == {"input", "afterInputPath"}


def test_wait_does_not_wait(sfn: Any) -> None:
    response = run(sfn, {"Type": "Wait", "Seconds": 31536000, "Next": "Later"}, {"a": 1})
    # The input comes back as written when the state passes it on unchanged.
    assert (response["status"], response["nextState"], response["output"]) == (
        "SUCCEEDED", "Later", '{"a": 1}')  # fmt: skip


# ------------------------------------------------------------------ tasks and mocks


def test_jsonpath_task_mock_result_through_every_step(sfn: Any) -> None:
    state = {"Type": "Task", "Resource": LAMBDA, "InputPath": "$.call",
             "Parameters": {"FunctionName": "f", "Payload.$": "$.body"},
             "ResultSelector": {"code.$": "$.StatusCode"}, "ResultPath": "$.answer",
             "OutputPath": "$.answer", "Next": "After"}  # fmt: skip
    data = {"call": {"body": {"n": 1}}, "keep": True}
    mock = {"result": json.dumps({"StatusCode": 200, "Payload": "ok"})}
    response = run(sfn, state, data, inspectionLevel="DEBUG", mock=mock)
    assert (response["status"], response["nextState"], json.loads(response["output"])) == (
        "SUCCEEDED", "After", {"code": 200})  # fmt: skip
    assert decoded(response["inspectionData"]) == {
        "input": data,
        "afterInputPath": {"body": {"n": 1}},
        "afterParameters": {"FunctionName": "f", "Payload": {"n": 1}},
        "result": {"StatusCode": 200, "Payload": "ok"},
        "afterResultSelector": {"code": 200},
        "afterResultPath": {**data, "answer": {"code": 200}},
    }


JSONATA_CATCH = {
    "QueryLanguage": "JSONata", "Type": "Task", "Resource": LAMBDA,
    "Arguments": {"FunctionName": "foo", "Payload": "bar"},
    "Catch": [{"ErrorEquals": ["MockException"], "Output": "{% $states.errorOutput %}", "Next": "HandleMockError"},
              {"ErrorEquals": ["States.TaskFailed"], "Next": "HandleThreshold"}],
    "End": True,
}  # fmt: skip


def test_jsonata_task_mock_result(sfn: Any) -> None:
    state = {**JSONATA_CATCH, "Output": "{% $states.result.Payload %}"}
    response = run(sfn, state, {"Value": "HelloWorld"}, inspectionLevel="TRACE",
                   mock={"result": json.dumps({"StatusCode": 200, "Payload": "done"})})  # fmt: skip
    assert (response["status"], json.loads(response["output"])) == ("SUCCEEDED", "done")
    assert decoded(response["inspectionData"]) == {
        "input": {"Value": "HelloWorld"},
        "afterArguments": {"FunctionName": "foo", "Payload": "bar"},
        "result": {"StatusCode": 200, "Payload": "done"},
    }


@pytest.mark.parametrize(
    ("error", "index", "target"),
    [("MockException", 0, "HandleMockError"), ("States.TaskFailed", 1, "HandleThreshold")],
)
def test_mocked_error_caught(sfn: Any, error: str, index: int, target: str) -> None:
    mock = {"errorOutput": {"error": error, "cause": "Mock the cause of the error."}}
    response = run(sfn, JSONATA_CATCH, {"Value": "HelloWorld"}, inspectionLevel="DEBUG", mock=mock)
    assert response["status"] == "CAUGHT_ERROR"
    assert (response["error"], response["cause"], response["nextState"]) == (
        error, "Mock the cause of the error.", target)  # fmt: skip
    assert json.loads(response["output"]) == {
        "Error": error,
        "Cause": "Mock the cause of the error.",
    }
    assert decoded(response["inspectionData"]) == {
        "input": {"Value": "HelloWorld"},
        "afterArguments": {"FunctionName": "foo", "Payload": "bar"},
        "errorDetails": {"catchIndex": index},
    }
    info = run(sfn, JSONATA_CATCH, {"Value": "HelloWorld"}, mock=mock)
    assert "inspectionData" not in info and info["status"] == "CAUGHT_ERROR"


RETRY = {**JSONATA_CATCH, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}],
         "Retry": [{"ErrorEquals": ["MockException"], "IntervalSeconds": 1, "BackoffRate": 2,
                    "MaxAttempts": 5}]}  # fmt: skip


def test_retriable_then_exhausted_then_caught(sfn: Any) -> None:
    mock = {"errorOutput": {"error": "MockException", "cause": "c"}}
    retriable = run(sfn, RETRY, {}, inspectionLevel="DEBUG", mock=mock,
                    stateConfiguration={"retrierRetryCount": 4})  # fmt: skip
    assert (retriable["status"], retriable["error"], retriable["cause"]) == (
        "RETRIABLE",
        "MockException",
        "c",
    )
    assert "nextState" not in retriable and "output" not in retriable
    assert retriable["inspectionData"]["errorDetails"] == {
        "retryIndex": 0,
        "retryBackoffIntervalSeconds": 16,
    }
    spent = run(
        sfn,
        RETRY,
        {},
        inspectionLevel="DEBUG",
        mock=mock,
        stateConfiguration={"retrierRetryCount": 5},
    )
    assert (spent["status"], spent["nextState"]) == ("CAUGHT_ERROR", "Handler")
    assert spent["inspectionData"]["errorDetails"] == {"retryIndex": 0, "catchIndex": 0}
    no_catch = {k: v for k, v in RETRY.items() if k != "Catch"}
    failed = run(
        sfn,
        no_catch,
        {},
        inspectionLevel="DEBUG",
        mock=mock,
        stateConfiguration={"retrierRetryCount": 5},
    )
    assert (failed["status"], failed["error"]) == ("FAILED", "MockException")
    assert failed["inspectionData"]["errorDetails"] == {"retryIndex": 0}


def test_unmocked_task_runs_the_local_handler(sfn: Any) -> None:
    state = {"Type": "Task", "Resource": ECHO, "ResultPath": "$.echoed", "End": True}
    response = run(sfn, state, {"x": 1}, roleArn=ROLE, inspectionLevel="DEBUG")
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["output"]) == {"x": 1, "echoed": {"x": 1}}
    assert json.loads(response["inspectionData"]["result"]) == {"x": 1}


def test_wait_for_task_token_needs_a_mock_and_gets_a_token(sfn: Any) -> None:
    state = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
             "Parameters": {"QueueUrl": "q", "MessageBody": {"TaskToken.$": "$$.Task.Token"}},
             "End": True}  # fmt: skip
    code, _ = refused(sfn, state, {}, roleArn=ROLE)
    assert code == "ValidationException"
    context = {"Task": {"Token": "abcd123"}}
    response = run(sfn, state, {}, inspectionLevel="DEBUG", context=json.dumps(context),
                   mock={"result": json.dumps({"approved": True})})  # fmt: skip
    assert json.loads(response["output"]) == {"approved": True}
    assert json.loads(response["inspectionData"]["afterParameters"]) == {
        "QueueUrl": "q", "MessageBody": {"TaskToken": "abcd123"}}  # fmt: skip


# ------------------------------------------------------------------ context, variables, stateName


def test_given_context_is_the_context_object(sfn: Any) -> None:
    context = {"Execution": {"Id": "arn:aws:states:::execution:M:e", "Input": {"a": 1}, "Name": "e"},
               "State": {"Name": "MyTaskState", "RetryCount": 0}}  # fmt: skip
    state = {"Type": "Task", "Resource": LAMBDA, "Parameters": {"ctx.$": "$$"},
             "ResultPath": "$.out", "End": True}  # fmt: skip
    response = run(sfn, state, {}, context=json.dumps(context), inspectionLevel="DEBUG",
                   mock={"result": '{"StatusCode": 200}'})  # fmt: skip
    assert json.loads(response["inspectionData"]["afterParameters"]) == {"ctx": context}
    empty = run(
        sfn,
        state,
        {},
        context="{}",
        inspectionLevel="DEBUG",
        mock={"result": '{"StatusCode": 200}'},
    )
    assert json.loads(empty["inspectionData"]["afterParameters"]) == {"ctx": {}}


def test_default_context_of_a_test_run(sfn: Any) -> None:
    state = {
        "Type": "Pass",
        "QueryLanguage": "JSONata",
        "Output": "{% $states.context %}",
        "End": True,
    }
    context = json.loads(run(sfn, state, {"in": 1})["output"])
    assert context["State"]["Name"] == "StateName" and "RetryCount" not in context["State"]
    assert context["Execution"]["Input"] == {"in": 1} and context["Execution"]["RoleArn"] is None
    assert context["Execution"]["Id"].startswith("arn:aws:states:us-east-1:123456789012:express:")


def test_variables_are_read_and_reported(sfn: Any) -> None:
    state = {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $base + 1 %}",
             "Assign": {"next": "{% $base * 2 %}"}, "End": True}  # fmt: skip
    response = run(sfn, state, {}, variables=json.dumps({"base": 20}), inspectionLevel="DEBUG")
    assert json.loads(response["output"]) == 21
    assert json.loads(response["inspectionData"]["variables"]) == {"base": 20, "next": 40}
    plain = run(sfn, {"Type": "Pass", "End": True}, {}, inspectionLevel="DEBUG")
    assert "variables" not in plain["inspectionData"]
    jsonpath = run(sfn, {"Type": "Pass", "Parameters": {"v.$": "$base"}, "End": True}, {},
                   variables=json.dumps({"base": "x"}))  # fmt: skip
    assert json.loads(jsonpath["output"]) == {"v": "x"}
    assert (
        refused(sfn, {"Type": "Pass", "End": True}, {}, variables="[1]")[0] == "ValidationException"
    )


def test_state_name_selects_a_state_of_a_whole_machine(sfn: Any) -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Output": "{% $states.input.n + 1 %}", "Next": "Each"},
            "Each": {
                "Type": "Map",
                "Items": "{% $states.input %}",
                "End": True,
                "ItemProcessor": {
                    "StartAt": "Inner",
                    "States": {
                        "Inner": {
                            "Type": "Pass",
                            "Output": "{% $states.context.Map.Item.Index %}",
                            "End": True,
                        }
                    },
                },
            },
        },
    }
    first = sfn.test_state(definition=json.dumps(machine), stateName="A", input='{"n": 1}')
    assert (first["status"], first["nextState"], first["output"]) == ("SUCCEEDED", "Each", "2")
    inner = sfn.test_state(definition=json.dumps(machine), stateName="Inner", input='"x"')
    assert (inner["status"], inner["output"]) == ("SUCCEEDED", "0")
    with pytest.raises(ClientError) as excinfo:
        sfn.test_state(definition=json.dumps(machine), stateName="Nowhere", input="{}")
    assert error_of(excinfo)[0] == "ValidationException"


# ------------------------------------------------------------------ Map and Parallel


MAP = {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% $states.input.Values %}",
       "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Inner",
                         "States": {"Inner": {"Type": "Pass", "End": True}}},
       "End": True}  # fmt: skip
PARALLEL = {"Type": "Parallel", "End": True, "Branches": [
    {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
    {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]}  # fmt: skip


def test_jsonpath_map_with_a_mock(sfn: Any) -> None:
    state = {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ToleratedFailureCount": 1,
             "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
             "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
             "ResultPath": "$.results", "Next": "Done"}  # fmt: skip
    data = {"items": ["a", "b"]}
    response = run(sfn, state, data, inspectionLevel="DEBUG", mock={"result": '["A", "B"]'})
    assert (response["status"], response["nextState"]) == ("SUCCEEDED", "Done")
    assert json.loads(response["output"]) == {"items": ["a", "b"], "results": ["A", "B"]}
    assert decoded(response["inspectionData"]) == {
        "input": data,
        "afterInputPath": data,
        "afterItemsPath": ["a", "b"],
        "afterItemSelector": [{"v": "a", "i": 0}, {"v": "b", "i": 1}],
        "afterResultSelector": ["A", "B"],
        "afterResultPath": {**data, "results": ["A", "B"]},
        "maxConcurrency": 2,
        "toleratedFailureCount": 1,
    }
    exceeded = run(sfn, state, data, mock={"result": '["A", "B"]'},
                   stateConfiguration={"mapIterationFailureCount": 2})  # fmt: skip
    assert (exceeded["status"], exceeded["error"], exceeded["cause"]) == (
        "FAILED", "States.ExceedToleratedFailureThreshold",
        "The specified tolerated failure threshold was exceeded")  # fmt: skip
    tolerated = run(sfn, state, data, mock={"result": '["A", "B"]'},
                    stateConfiguration={"mapIterationFailureCount": 1})  # fmt: skip
    assert tolerated["status"] == "SUCCEEDED"


def test_jsonata_map_mock_error_caused_by_inner_state(sfn: Any) -> None:
    state = {**MAP, "Catch": [{"ErrorEquals": ["MockException"], "Next": "Handle"}]}
    response = run(sfn, state, {"Values": [1, 2]}, inspectionLevel="DEBUG",
                   mock={"errorOutput": {"error": "MockException", "cause": "inner"}},
                   stateConfiguration={"errorCausedByState": "Inner"})  # fmt: skip
    assert (response["status"], response["error"], response["nextState"]) == (
        "CAUGHT_ERROR",
        "MockException",
        "Handle",
    )
    assert decoded(response["inspectionData"]) == {
        "input": {"Values": [1, 2]},
        "maxConcurrency": 0,
        "errorDetails": {"catchIndex": 0},
    }


def test_parallel_with_a_mock(sfn: Any) -> None:
    state = {**PARALLEL, "Parameters": {"v.$": "$.v"}, "ResultSelector": {"first.$": "$[0]"}}
    response = run(sfn, state, {"v": 1, "w": 2}, inspectionLevel="DEBUG",
                   mock={"result": '[{"a": 1}, {"b": 2}]'})  # fmt: skip
    assert (response["status"], json.loads(response["output"])) == (
        "SUCCEEDED",
        {"first": {"a": 1}},
    )
    assert decoded(response["inspectionData"]) == {
        "input": {"v": 1, "w": 2}, "afterInputPath": {"v": 1, "w": 2}, "afterParameters": {"v": 1},
        "result": [{"a": 1}, {"b": 2}], "afterResultSelector": {"first": {"a": 1}},
        "afterResultPath": {"first": {"a": 1}},
    }  # fmt: skip


def test_distributed_map_with_reader_data(sfn: Any) -> None:
    state = {"Type": "Map", "MaxConcurrency": 1, "ToleratedFailurePercentage": 50, "End": True,
             "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                            "Parameters": {"Bucket.$": "$.Bucket", "Key.$": "$.Key"}},
             "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                               "StartAt": "HandleItem", "States": {"HandleItem": {"Type": "Pass", "End": True}}}}  # fmt: skip
    data = {"Bucket": "test-bucket", "Key": "test-key"}
    config = {"mapItemReaderData": json.dumps([1, 2, 3, 4])}
    response = run(sfn, state, data, roleArn=ROLE, inspectionLevel="DEBUG", mock={"result": "[1, 4, 9, 16]"},
                   stateConfiguration=config)  # fmt: skip
    # The mocked result comes back as written (recorded: "output": "[1, 4, 9]").
    assert (response["status"], response["output"]) == ("SUCCEEDED", "[1, 4, 9, 16]")
    inspection = response["inspectionData"]
    assert (inspection["maxConcurrency"], inspection["toleratedFailurePercentage"]) == (1, 50.0)
    assert "afterItemsPath" not in inspection and "afterItemSelector" not in inspection
    within = run(sfn, state, data, mock={"result": "[]"},
                 stateConfiguration={**config, "mapIterationFailureCount": 2})  # fmt: skip
    assert within["status"] == "SUCCEEDED"
    beyond = run(sfn, state, data, mock={"result": "[]"},
                 stateConfiguration={**config, "mapIterationFailureCount": 3})  # fmt: skip
    assert (beyond["status"], beyond["error"]) == (
        "FAILED",
        "States.ExceedToleratedFailureThreshold",
    )
    machine = {"StartAt": "Each", "States": {"Each": state}}
    inner = sfn.test_state(definition=json.dumps(machine), stateName="HandleItem", input='{"v": 1}')
    assert (inner["status"], json.loads(inner["output"])) == ("SUCCEEDED", {"v": 1})


def test_item_batcher_reported(sfn: Any) -> None:
    state = {"Type": "Map", "ItemsPath": "$.items", "End": True,
             "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"run": 7}},
             "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                               "StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}}  # fmt: skip
    response = run(sfn, state, {"items": [1, 2, 3]}, inspectionLevel="DEBUG", mock={"result": "[]"})
    assert json.loads(response["inspectionData"]["afterItemBatcher"]) == [
        {"Items": [1, 2], "BatchInput": {"run": 7}}, {"Items": [3], "BatchInput": {"run": 7}}]  # fmt: skip


def test_state_name_inside_a_parallel_branch_and_choice_assign(sfn: Any) -> None:
    machine = {"QueryLanguage": "JSONata", "StartAt": "Both", "States": {"Both": {
        "Type": "Parallel", "End": True, "Branches": [{"StartAt": "Pick", "States": {
            "Pick": {"Type": "Choice", "Default": "Low", "Choices": [{
                "Condition": "{% $states.input.n > $limit %}", "Next": "High",
                "Assign": {"picked": "high"}}]},
            "High": {"Type": "Succeed"}, "Low": {"Type": "Succeed"}}}]}}}  # fmt: skip
    response = sfn.test_state(definition=json.dumps(machine), stateName="Pick", input='{"n": 5}',
                              variables='{"limit": 3}', inspectionLevel="DEBUG")  # fmt: skip
    assert (response["status"], response["nextState"]) == ("SUCCEEDED", "High")
    assert json.loads(response["inspectionData"]["variables"]) == {"limit": 3, "picked": "high"}


def test_jsonpath_catch_result_path_and_lambda_invoke_handler(sfn: Any) -> None:
    state = {"Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "Echo", "Payload.$": "$"},
             "ResultSelector": {"echoed.$": "$.Payload"}, "End": True,
             "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"}]}  # fmt: skip
    real = run(sfn, state, {"x": 1}, roleArn=ROLE, inspectionLevel="DEBUG")
    assert (real["status"], json.loads(real["output"])) == ("SUCCEEDED", {"echoed": {"x": 1}})
    assert json.loads(real["inspectionData"]["result"])["Payload"] == {"x": 1}
    mock = {"errorOutput": {"error": "Lambda.ServiceException", "cause": "down"}}
    caught = run(sfn, state, {"x": 1}, inspectionLevel="DEBUG", mock=mock)
    assert (caught["status"], caught["nextState"]) == ("CAUGHT_ERROR", "Recover")
    assert json.loads(caught["output"]) == {
        "x": 1,
        "error": {"Error": "Lambda.ServiceException", "Cause": "down"},
    }
    assert decoded(caught["inspectionData"]) == {
        "input": {"x": 1}, "afterInputPath": {"x": 1},
        "afterParameters": {"FunctionName": "Echo", "Payload": {"x": 1}},
        "errorDetails": {"catchIndex": 0},
    }  # fmt: skip


def test_map_failing_before_its_iterations(sfn: Any) -> None:
    state = {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 3, "End": True,
             "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}  # fmt: skip
    response = run(
        sfn, state, {"items": "not a list"}, inspectionLevel="DEBUG", mock={"result": "[]"}
    )
    assert (response["status"], response["error"]) == ("FAILED", "States.Runtime")
    assert decoded(response["inspectionData"]) == {
        "input": {"items": "not a list"},
        "afterInputPath": {"items": "not a list"},
    }
