"""Transitions between states: dangling targets, unreachable states, a missing terminal state.

Each set of states (the machine, a Parallel branch, a Map's ItemProcessor/Iterator) is its own
scope: a transition names a state of the same scope only.  What AWS reports, as measured with
``aws stepfunctions validate-state-machine-definition`` (floci-io/floci PR #2786, issue #2735)
and seen in CloudFormation errors (aws-cloudformation/cfn-lint #4073, #4074):

* a Next, Default, Choices[i].Next, Catch[i].Next or StartAt naming no state of its scope:
  MISSING_TRANSITION_TARGET "Missing 'Next' target: <name>" at that field;
* a state not reachable from StartAt: MISSING_TRANSITION_TARGET 'State "<name>" is not
  reachable.' at the state (when StartAt names no state, every state is unreachable);
* no terminal state (End, Succeed, Fail) at the top level: MISSING_END_STATE "Workflow has no
  terminal state", without a location, reported after the dangling targets and instead of the
  unreachable states.  A nested scope without a terminal state is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from asl.validation import messages
from asl.validation.diagnostic import MISSING_END_STATE, MISSING_TRANSITION_TARGET
from asl.validation.report import Report


@dataclass(slots=True)
class Scope:
    """One set of states and the transitions found among them, in document order."""

    location: str  # "" for the machine, else e.g. "/States/P/Branches[0]"
    top_level: bool
    start_at: str | None = None  # None: absent or not a string
    has_states: bool = False  # its "States" is an object (else only the schema error shows)
    names: dict[str, str] = field(default_factory=dict)  # state name -> its location
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (source, target, location)
    terminal: bool = False
    # A state whose type is unknown (not an object, no valid Type) might be terminal: then
    # MISSING_END_STATE is not claimed on top of the schema error.
    malformed: bool = False

    def state(self, name: str, location: str) -> None:
        self.names[name] = location

    def edge(self, source: str, target: str, location: str) -> None:
        self.edges.append((source, target, location))


def analyse(scope: Scope, report: Report) -> None:
    """Report this scope's dangling targets, then its unreachable states (or, at the top
    level without a terminal state, MISSING_END_STATE).  Nothing when "States" is missing or
    not an object: AWS then reports only that (recorded for {}: one diagnostic)."""
    if not scope.has_states:
        return
    names = scope.names
    start_dangles = scope.start_at is not None and scope.start_at not in names
    if start_dangles:
        report.add(
            MISSING_TRANSITION_TARGET,
            messages.missing_target(str(scope.start_at)),
            f"{scope.location}/StartAt",
        )
    successors: dict[str, list[str]] = {}
    for source, target, location in scope.edges:
        if target not in names:
            report.add(MISSING_TRANSITION_TARGET, messages.missing_target(target), location)
        else:
            successors.setdefault(source, []).append(target)

    if scope.top_level and not scope.terminal and not scope.malformed:
        report.add(MISSING_END_STATE, messages.NO_TERMINAL_STATE, "")
        return
    if scope.start_at is None:  # StartAt missing or mistyped: reported by the schema check
        return
    reached: set[str] = set()
    if not start_dangles:
        pending = [scope.start_at]
        reached.add(scope.start_at)
        while pending:
            for target in successors.get(pending.pop(), ()):
                if target not in reached:
                    reached.add(target)
                    pending.append(target)
    for name, location in names.items():
        if name not in reached:
            report.add(MISSING_TRANSITION_TARGET, messages.unreachable(name), location)
