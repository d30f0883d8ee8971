"""``arn:aws:states:::stepline:humanReview.waitForTaskToken``: a ``human_review`` step.

The call answers at once with the review request (the Arguments without the token), which the
TaskSubmitted event records; the task then waits for its token.  A reviewer approves with
SendTaskSuccess (the output is what they send) or rejects with SendTaskFailure; the stepIQ
surface offers ``POST /api/runs/:id/steps/:step_id/approve`` and ``/reject`` for it.
"""

from __future__ import annotations

from datetime import datetime

import asl
from emulator.integrations import TaskCall, register

RESOURCE = "arn:aws:states:::stepline:humanReview.waitForTaskToken"
INVALID_REQUEST = "Stepline.Review.InvalidRequest"


class HumanReview:
    def answers(self, resource: str) -> bool:
        return resource == RESOURCE

    def call(self, call: TaskCall) -> tuple[datetime, asl.Outcome]:
        effect = call.effect
        args = effect.input
        if not isinstance(args, dict) or not isinstance(args.get("TaskToken"), str):
            return call.now, asl.TaskFailed(
                effect.id,
                INVALID_REQUEST,
                "The humanReview Arguments must be an object with the TaskToken "
                "({% $states.context.Task.Token %})",
            )
        request = {k: v for k, v in args.items() if k != "TaskToken"}
        request["status"] = "waiting_for_review"
        return call.now, asl.TaskSucceeded(effect.id, request)


register(HumanReview())
