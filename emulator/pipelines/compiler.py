"""A pipeline compiled into an ASL state machine (JSONata), one state per step.

The machine::

    Prepare (Pass)          Assign input, vars, steps = {}, loops = {}
    <step id> ...           one state per step, named by its id, in order
    After <id> (Choice)     a step's on_condition rules, each guarded by a loop counter
    Pipeline output (Pass)  Output = steps.<output.from>.output (null when it did not run)

Each step's result is a *record* kept in the workflow variable of its scope (``$steps`` at the
top; see :mod:`emulator.pipelines.scopes`): ``{"output": …}``, and for ``llm`` steps the
model's whole answer ``{"output", "model", "usage": {input_tokens, output_tokens,
cost_cents}}``.  A state's Output is its record, so the history shows it.

Step types (see :mod:`emulator.pipelines.checks` for their fields):

* ``llm``: Task ``arn:aws:states:::stepline:llm.invoke`` (:mod:`emulator.integrations.llm`);
* ``transform``: Pass whose record is the rendered prompt or ``template``;
* ``condition``: Choice; a rule whose goto jumps back carries a loop guard like on_condition;
* ``parallel``: Parallel; each branch starts with a Pass that clears its scope and ends with
  a Pass whose Output is the branch's records, merged into the outer scope;
* ``webhook``: Task ``arn:aws:states:::http:invoke`` (ApiEndpoint, Method, Headers,
  QueryParameters, RequestBody; ``Authentication.ConnectionArn`` is the step's
  ``connection_arn`` or a placeholder: Stepline accepts any unless STEPLINE_HTTP_CONNECTIONS
  lists them); the record's output is the response body;
* ``human_review``: Task ``arn:aws:states:::stepline:humanReview.waitForTaskToken``;
* ``code``: Task ``arn:aws:states:::lambda:invoke`` on the handler's name; output = Payload.

``retry {max_attempts, backoff_ms}`` becomes ``Retry [{ErrorEquals ["States.ALL"],
MaxAttempts max_attempts-1, IntervalSeconds max(1, ceil(backoff_ms/1000)), BackoffRate 2}]``
(ASL's MaxAttempts counts retries, stepIQ's max_attempts counts attempts; IntervalSeconds is
whole seconds); ``timeout_seconds`` becomes TimeoutSeconds (60 by default for llm, webhook and
code steps, stepIQ's default; a human_review step waits without limit unless given one).
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
"""

from __future__ import annotations

import math
from typing import Any

from emulator.pipelines import conditions, templating
from emulator.pipelines.checks import check_pipeline
from emulator.pipelines.definition import (
    DEFAULT_MAX_LOOPS,
    Agent,
    Pipeline,
    PipelineInvalid,
    Step,
    default_model,
)
from emulator.pipelines.scopes import ScopeKey, Scopes, build_scopes
from emulator.pipelines.templating import Ref, literal, path_expression

LLM_RESOURCE = "arn:aws:states:::stepline:llm.invoke"
REVIEW_RESOURCE = "arn:aws:states:::stepline:humanReview.waitForTaskToken"
LAMBDA_RESOURCE = "arn:aws:states:::lambda:invoke"
HTTP_RESOURCE = "arn:aws:states:::http:invoke"
DEFAULT_CONNECTION = "arn:aws:events:us-east-1:123456789012:connection/stepline-pipeline/default"
DEFAULT_TIMEOUT_SECONDS = 60
PREPARE = "Prepare"
OUTPUT = "Pipeline output"


def compile_pipeline(
    pipeline: Pipeline,
    *,
    owner: str = "",
    pipeline_id: str = "",
    agent_seconds_cap: int | None = None,
) -> dict[str, Any]:
    """The ASL definition of ``pipeline``; raises PipelineInvalid when the pipeline was built
    without :func:`parse_pipeline`'s checks and does not pass them.  ``agent_seconds_cap`` is
    the owner's plan cap on an agent's duration (stepIQ's plan agent caps), applied to every
    step that has an agent, over the agent's own ``max_duration_seconds``."""
    issues = check_pipeline(pipeline)
    if issues:
        raise PipelineInvalid(issues)
    names = frozenset(pipeline.input.schema_) if pipeline.input else None
    scopes = build_scopes(pipeline.steps, pipeline.variables, names)
    context = _Compiler(scopes, owner, pipeline_id, pipeline.agent_defaults)
    context.agent_seconds_cap = agent_seconds_cap
    states: dict[str, Any] = {
        PREPARE: {
            "Type": "Pass",
            "Assign": {
                "input": "{% $states.input %}",
                "vars": f"{{% {literal(pipeline.variables)} %}}",
                "steps": {},
                "loops": {},
            },
            "Next": pipeline.steps[0].id,
        }
    }
    context.sequence(pipeline.steps, (), OUTPUT, states)
    result = scopes.resolve(Ref("steps", (pipeline.output_from, "output")), ())
    states[OUTPUT] = {
        "Type": "Pass",
        "Output": f"{{% $exists({result}) ? {result} : null %}}",
        "End": True,
    }
    return {
        "Comment": f"Pipeline {pipeline.name!r} (definition version {pipeline.version}), "
        "compiled by Stepline",
        "QueryLanguage": "JSONata",
        "StartAt": PREPARE,
        "States": states,
    }


class _Compiler:
    def __init__(
        self, scopes: Scopes, owner: str, pipeline_id: str, agent_defaults: Agent | None
    ) -> None:
        self.agent_defaults = agent_defaults
        self.agent_seconds_cap: int | None = None
        self.scopes = scopes
        self.owner = owner
        self.pipeline_id = pipeline_id

    def sequence(
        self, steps: list[Step], scope: ScopeKey, after: str, states: dict[str, Any]
    ) -> None:
        position = {s.id: i for i, s in enumerate(steps)}
        for index, step in enumerate(steps):
            following = steps[index + 1].id if index + 1 < len(steps) else after
            choice = f"After {step.id}"
            exit_to = choice if step.on_condition else following
            states[step.id] = self.step(step, scope, exit_to, index, position, states)
            if step.on_condition:
                states[choice] = self.loop_choice(step, scope, following)

    # ------------------------------------------------------------------ one step

    def step(
        self,
        step: Step,
        scope: ScopeKey,
        next_state: str,
        index: int,
        position: dict[str, int],
        states: dict[str, Any],
    ) -> dict[str, Any]:
        resolve = self.scopes.resolver(scope)
        var = self.scopes.steps_var(scope)
        if step.type == "condition":
            return self.condition(step, scope, next_state, index, position)
        if step.type == "transform":
            if step.prompt is not None:
                value = templating.text_expression(templating.parse_template(step.prompt), resolve)
            else:
                value = templating.value_expression(step.template, resolve)
            record = f'{{"output": {value}}}'
            state: dict[str, Any] = {"Type": "Pass", "Output": f"{{% {record} %}}"}
            state["Assign"] = {var: f"{{% $merge([${var}, {{{literal(step.id)}: {record}}}]) %}}"}
            state["Next"] = next_state
            return state
        if step.type == "parallel":
            state = self.parallel(step, scope, states)
        else:
            state = self.task(step, scope)
        if step.type == "parallel":
            state["Assign"] = {var: self._merge_parallel(step, var)}
            state["Output"] = f"{{% {self._parallel_record(step)} %}}"
        else:
            record = {
                "llm": "$states.result",
                "code": '{"output": $states.result.Payload}',
                "webhook": '{"output": $states.result.ResponseBody, '
                '"status_code": $states.result.StatusCode}',
                "human_review": '{"output": $states.result}',
            }[step.type]
            state["Assign"] = {var: f"{{% $merge([${var}, {{{literal(step.id)}: {record}}}]) %}}"}
            if step.type != "llm":
                state["Output"] = f"{{% {record} %}}"
        if step.retry is not None and step.retry.max_attempts > 1:
            state["Retry"] = [
                {
                    "ErrorEquals": ["States.ALL"],
                    "MaxAttempts": step.retry.max_attempts - 1,
                    "IntervalSeconds": max(1, math.ceil(step.retry.backoff_ms / 1000)),
                    "BackoffRate": 2,
                }
            ]
        state["Next"] = next_state
        return state

    def task(self, step: Step, scope: ScopeKey) -> dict[str, Any]:
        resolve = self.scopes.resolver(scope)
        timeout = step.timeout_seconds
        if step.type == "llm":
            args: dict[str, Any] = {
                "model": step.model or default_model(),
                "prompt": templating.template_field(step.prompt or "", resolve),
            }
            if step.system_prompt is not None:
                args["system_prompt"] = templating.template_field(step.system_prompt, resolve)
            if step.temperature is not None:
                args["temperature"] = step.temperature
            if step.max_tokens is not None:
                args["max_tokens"] = step.max_tokens
            args["output_format"] = step.output_format
            if step.provider is not None:
                args["provider"] = step.provider.model_dump(exclude_none=True)
            args.update(owner=self.owner, pipeline_id=self.pipeline_id, step_id=step.id)
            state: dict[str, Any] = {"Type": "Task", "Resource": LLM_RESOURCE, "Arguments": args}
            timeout = timeout or DEFAULT_TIMEOUT_SECONDS
            agent = step.agent or self.agent_defaults
            if agent is not None and agent.max_duration_seconds is not None:
                # Without tools an agent is one model call (stepIQ's own fallback); its
                # duration cap bounds that call.
                timeout = min(timeout, agent.max_duration_seconds)
            if agent is not None and self.agent_seconds_cap is not None:
                timeout = min(timeout, self.agent_seconds_cap)
        elif step.type == "human_review":
            args = {
                "TaskToken": "{% $states.context.Task.Token %}",
                "prompt": templating.template_field(step.prompt or "", resolve),
                "owner": self.owner,
                "pipeline_id": self.pipeline_id,
                "step_id": step.id,
            }
            state = {"Type": "Task", "Resource": REVIEW_RESOURCE, "Arguments": args}
        elif step.type == "code":
            payload = (
                templating.value_expression(step.input, resolve)
                if step.input is not None
                else f'{{"input": $input, "vars": $vars, "steps": {self._visible(scope)}}}'
            )
            args = {"FunctionName": step.handler, "Payload": f"{{% {payload} %}}"}
            state = {"Type": "Task", "Resource": LAMBDA_RESOURCE, "Arguments": args}
            timeout = timeout or DEFAULT_TIMEOUT_SECONDS
        else:  # webhook
            args = {
                "ApiEndpoint": templating.template_field(step.url or "", resolve),
                "Method": step.method or "POST",
                "Authentication": {"ConnectionArn": step.connection_arn or DEFAULT_CONNECTION},
            }
            if step.headers:
                args["Headers"] = {
                    k: templating.template_field(v, resolve) for k, v in step.headers.items()
                }
            if step.query:
                args["QueryParameters"] = {
                    k: templating.template_field(v, resolve) for k, v in step.query.items()
                }
            if step.body is not None:
                args["RequestBody"] = f"{{% {templating.value_expression(step.body, resolve)} %}}"
            state = {"Type": "Task", "Resource": HTTP_RESOURCE, "Arguments": args}
            timeout = timeout or DEFAULT_TIMEOUT_SECONDS
        if timeout is not None:
            state["TimeoutSeconds"] = timeout
        return state

    def _visible(self, scope: ScopeKey) -> str:
        """Every record a state in ``scope`` can read, inner scopes winning."""
        names = [self.scopes.steps_var(scope[:depth]) for depth in range(len(scope) + 1)]
        if len(names) == 1:
            return f"${names[0]}"
        return f"$merge([{', '.join('$' + n for n in names)}])"

    # ------------------------------------------------------------------ parallel

    def parallel(self, step: Step, scope: ScopeKey, states: dict[str, Any]) -> dict[str, Any]:
        branches = []
        for index, branch in enumerate(step.branches or ()):
            inner: ScopeKey = (*scope, (step.id, index))
            var = self.scopes.steps_var(inner)
            start, end = f"Start {step.id} branch {index + 1}", f"End {step.id} branch {index + 1}"
            branch_states: dict[str, Any] = {
                start: {
                    "Type": "Pass",
                    "Assign": {var: {}, self.scopes.loops_var(inner): {}},
                    "Next": branch[0].id,
                }
            }
            self.sequence(branch, inner, end, branch_states)
            last = path_expression(f"${var}", (branch[-1].id, "output"))
            branch_states[end] = {
                "Type": "Pass",
                "Output": f'{{% {{"steps": ${var}, "output": $exists({last}) ? {last} : null}} %}}',
                "End": True,
            }
            branches.append({"StartAt": start, "States": branch_states})
        return {"Type": "Parallel", "Branches": branches}

    @staticmethod
    def _parallel_record(step: Step) -> str:
        # Branch by branch: $map would unwrap a one-branch result (JSONata sequences).
        items = templating.array_expression(
            [f"$states.result[{i}].output" for i in range(len(step.branches or ()))]
        )
        return f'{{"output": {items}}}'

    def _merge_parallel(self, step: Step, var: str) -> str:
        merged = [f"${var}"]
        merged += [f"$states.result[{i}].steps" for i in range(len(step.branches or ()))]
        merged.append(f"{{{literal(step.id)}: {self._parallel_record(step)}}}")
        return f"{{% $merge([{', '.join(merged)}]) %}}"

    # ------------------------------------------------------------------ choices

    def loop_choice(self, step: Step, scope: ScopeKey, following: str) -> dict[str, Any]:
        rules = []
        for index, rule in enumerate(step.on_condition or ()):
            limit = rule.max_loops or DEFAULT_MAX_LOOPS
            rules.append(self._rule(rule.if_, rule.goto, limit, scope, f"{step.id}.{index}"))
        return {"Type": "Choice", "Choices": rules, "Default": following}

    def condition(
        self, step: Step, scope: ScopeKey, next_state: str, index: int, position: dict[str, int]
    ) -> dict[str, Any]:
        var = self.scopes.steps_var(scope)
        rules = []
        for number, rule in enumerate(step.conditions or ()):
            backward = position[rule.goto] <= index
            limit = (rule.max_loops or DEFAULT_MAX_LOOPS) if backward else None
            choice = self._rule(rule.if_, rule.goto, limit, scope, f"{step.id}.{number}")
            record = f'{{"output": {literal(rule.goto)}}}'
            choice["Assign"][var] = f"{{% $merge([${var}, {{{literal(step.id)}: {record}}}]) %}}"
            choice["Output"] = f"{{% {record} %}}"
            rules.append(choice)
        default = step.default or next_state
        chosen = step.default or (next_state if next_state in position else None)
        record = f'{{"output": {literal(chosen)}}}'
        return {
            "Type": "Choice",
            "Choices": rules,
            "Default": default,
            "Assign": {var: f"{{% $merge([${var}, {{{literal(step.id)}: {record}}}]) %}}"},
            "Output": f"{{% {record} %}}",
        }

    def _rule(
        self, source: str, goto: str, limit: int | None, scope: ScopeKey, key: str
    ) -> dict[str, Any]:
        test = conditions.parse_condition(source).to_jsonata(self.scopes.resolver(scope))
        rule: dict[str, Any] = {"Next": goto, "Assign": {}}
        if limit is None:
            rule["Condition"] = f"{{% {test} %}}"
            return rule
        loops = self.scopes.loops_var(scope)
        count = f"$lookup(${loops}, {literal(key)})"
        taken = f"($exists({count}) ? {count} : 0)"
        rule["Condition"] = f"{{% ({taken} < {limit}) and {test} %}}"
        rule["Assign"][loops] = f"{{% $merge([${loops}, {{{literal(key)}: {taken} + 1}}]) %}}"
        return rule
