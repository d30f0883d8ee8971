"""``stepline-local``: a deterministic model that works offline, with no key.

It answers with the prompt itself, so a pipeline's templating and data flow can be run and
checked without a provider:

* text and markdown: the prompt, verbatim (the system prompt is not echoed);
* json: the prompt when it is JSON text itself, otherwise ``{"text": prompt}``; always valid
  JSON, so ``output_format: json`` steps parse.

Token counts are whitespace-separated words: input = words of the system prompt and prompt,
output = words of the answer.
"""

from __future__ import annotations

import json

from emulator.models.request import Completion, CompletionRequest


def complete(request: CompletionRequest) -> Completion:
    if request.output_format == "json":
        try:
            json.loads(request.prompt)
            text = request.prompt
        except ValueError:
            text = json.dumps({"text": request.prompt}, ensure_ascii=False)
    else:
        text = request.prompt
    prompt_words = len(request.prompt.split()) + len((request.system_prompt or "").split())
    return Completion(text, prompt_words, len(text.split()))
