"""Pipeline templates: stepIQ's Handlebars subset, parsed once and compiled into JSONata.

A template is text with references in double braces (stepIQ renders them with Handlebars,
``noEscape``)::

    {{input.topic}}  {{vars.tone}}  {{variables.tone}}  {{steps.draft.output}}
    {{steps.score.output.value}}  {{steps.list.output.items.0}}  {{env.API_TOKEN}}
    {{#if input.detail}}…{{else}}…{{/if}}  {{#unless …}}…{{/unless}}  {{! comment }}

Triple braces (``{{{x}}}``) mean the same as double ones (nothing is HTML-escaped);
``\\{{`` writes literal braces.  Anything else in braces (other helpers, partials, ``~``
whitespace control) is refused with an error naming the field, never rendered as text.

Rendering follows Handlebars: a missing value or ``null`` renders as the empty string, strings
as themselves, other values as their JSON text; ``#if`` is false for a missing value, ``null``,
``false``, ``0``, ``""`` and ``[]``.

The compiler turns a template into a JSONata expression that the engine evaluates when the
state runs, so execution history shows the values really used.  Secret references
(``{{env.NAME}}``) are never resolved into the definition: a template that reads one compiles
to a *parts* value, ``{"parts": ["text", {"env": "NAME"}, "text"]}``, which the integration
that makes the call (:mod:`emulator.integrations.llm`) joins after looking the secret up
(:mod:`emulator.pipelines.secrets`).  Text that came from data is always a plain string part,
so a value containing ``{{env.X}}`` cannot make the integration read a secret.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

ROOTS = ("input", "vars", "variables", "steps", "env")
SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SEGMENT = r"(?:[A-Za-z0-9_$-]+|\[[^\]\[`]+\])"
_PATH = re.compile(rf"^[A-Za-z_][A-Za-z0-9_]*(?:\.{_SEGMENT})*$")


class TemplateError(ValueError):
    """A template that cannot be compiled; the message says why."""


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Ref:
    """``root.path…``; ``variables`` is read as ``vars``."""

    root: str
    path: tuple[str, ...]

    @property
    def dotted(self) -> str:
        return ".".join((self.root, *self.path))


@dataclass(frozen=True, slots=True)
class If:
    test: Ref
    negate: bool
    then: tuple[Node, ...]
    otherwise: tuple[Node, ...]


Node = Text | Ref | If


@dataclass(frozen=True, slots=True)
class Template:
    source: str
    nodes: tuple[Node, ...]

    def refs(self) -> list[Ref]:
        """Every reference, in the order written (``#if`` tests included)."""
        out: list[Ref] = []
        _collect(self.nodes, out)
        return out

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.path[0] for r in self.refs() if r.root == "env"))

    @property
    def is_plain(self) -> bool:
        return all(isinstance(n, Text) for n in self.nodes)


def _collect(nodes: tuple[Node, ...], out: list[Ref]) -> None:
    for node in nodes:
        if isinstance(node, Ref):
            out.append(node)
        elif isinstance(node, If):
            out.append(node.test)
            _collect(node.then, out)
            _collect(node.otherwise, out)


_MUSTACHE = re.compile(r"\\\{\{|\{\{\{(.*?)\}\}\}|\{\{(.*?)\}\}", re.DOTALL)


@functools.lru_cache(maxsize=2048)
def parse_template(source: str) -> Template:
    """Parse ``source`` (cached: a definition is checked, then compiled)."""
    # (open block or None, nodes of the current branch); a stack for nested #if.
    stack: list[tuple[tuple[Ref, bool] | None, list[Node], list[Node] | None]] = []
    nodes: list[Node] = []
    pos = 0
    for match in _MUSTACHE.finditer(source):
        if match.start() > pos:
            nodes.append(Text(source[pos : match.start()]))
        pos = match.end()
        if match.group(0) == "\\{{":
            nodes.append(Text("{{"))
            continue
        body = match.group(1) if match.group(1) is not None else match.group(2)
        content = body.strip()
        if content.startswith("!"):
            continue
        if "~" in content[:1] or content.endswith("~"):
            raise TemplateError(f"whitespace control in {match.group(0)!r} is not supported")
        if content.startswith("#"):
            helper, _, arg = content[1:].partition(" ")
            if helper not in ("if", "unless"):
                raise TemplateError(
                    f"the block helper {{{{#{helper}}}}} is not supported "
                    "(only #if and #unless are)"
                )
            test = _reference(arg.strip(), match.group(0))
            if test.root == "env":
                raise TemplateError("a secret ({{env.…}}) cannot be tested with #if")
            stack.append(((test, helper == "unless"), nodes, None))
            nodes = []
        elif content == "else":
            if not stack or stack[-1][2] is not None:
                raise TemplateError("{{else}} outside an {{#if}} block")
            opened, outer, _ = stack.pop()
            stack.append((opened, outer, nodes))
            nodes = []
        elif content.startswith("/"):
            name = content[1:].strip()
            if not stack:
                raise TemplateError(f"{{{{/{name}}}}} closes no block")
            (test, negate), outer, then = stack.pop()  # type: ignore[misc]
            if name != ("unless" if negate else "if"):
                raise TemplateError(f"{{{{/{name}}}}} does not close the open block")
            if then is None:
                block = If(test, negate, tuple(nodes), ())
            else:
                block = If(test, negate, tuple(then), tuple(nodes))
            if _has_secret(block.then) or _has_secret(block.otherwise):
                raise TemplateError("a secret ({{env.…}}) cannot be used inside an #if block")
            nodes = outer
            nodes.append(block)
        elif content[:1] in (">", "^", "&", "*"):
            raise TemplateError(
                f"{match.group(0)!r}: partials and inverse sections are not supported"
            )
        else:
            nodes.append(_reference(content, match.group(0)))
    if stack:
        raise TemplateError("an {{#if}} block is not closed")
    if pos < len(source):
        nodes.append(Text(source[pos:]))
    return Template(source, _merge_text(nodes))


def _has_secret(nodes: tuple[Node, ...]) -> bool:
    found: list[Ref] = []
    _collect(nodes, found)
    return any(r.root == "env" for r in found)


def _merge_text(nodes: list[Node]) -> tuple[Node, ...]:
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        else:
            out.append(node)
    return tuple(out)


def _reference(content: str, written: str) -> Ref:
    if " " in content or not _PATH.match(content):
        raise TemplateError(
            f"{written!r} is not a reference; write one of "
            "{{input.NAME}}, {{vars.NAME}}, {{steps.ID.output}}, {{env.NAME}}"
        )
    root, *rest = _split(content)
    if root not in ROOTS:
        raise TemplateError(
            f"{written!r}: unknown root {root!r}; use input, vars, variables, steps or env"
        )
    if root == "variables":
        root = "vars"
    if not rest:
        if root in ("input", "vars"):
            return Ref(root, ())
        raise TemplateError(f"{written!r} needs a name after {root!r}")
    if root == "env" and (len(rest) != 1 or not SECRET_NAME.match(rest[0])):
        raise TemplateError(f"{written!r}: a secret is read as {{{{env.NAME}}}}")
    return Ref(root, tuple(rest))


def _split(content: str) -> list[str]:
    parts = re.findall(rf"^[A-Za-z_][A-Za-z0-9_]*|\.{_SEGMENT}", content)
    out = []
    for part in parts:
        part = part.lstrip(".")
        out.append(part[1:-1] if part.startswith("[") else part)
    return out


# ------------------------------------------------------------------------ to JSONata

Resolve = Callable[[Ref], str]
"""Maps a reference (not env) to the JSONata path reading it; raises TemplateError."""


def literal(value: object) -> str:
    """A JSON value written as a JSONata literal."""
    return json.dumps(value, ensure_ascii=False)


def path_expression(base: str, segments: tuple[str, ...]) -> str:
    """``$base.`a`.`b`[0]`` from path segments (all-digit segments index arrays)."""
    out = base
    for seg in segments:
        out += f"[{seg}]" if seg.isdigit() else f".`{seg}`"
    return out


def _render(path: str) -> str:
    # Handlebars: null and missing render as "", strings as themselves, others as JSON.
    return f'($type({path}) = "null" ? "" : $string({path}))'


def _truthy(path: str) -> str:
    return f"($boolean({path}) = true)"


def _string_expr(nodes: tuple[Node, ...], resolve: Resolve) -> str:
    pieces: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            pieces.append(literal(node.text))
        elif isinstance(node, Ref):
            pieces.append(_render(resolve(node)))
        else:
            test = _truthy(resolve(node.test))
            if node.negate:
                test = f"$not{test}"
            then = _string_expr(node.then, resolve)
            otherwise = _string_expr(node.otherwise, resolve)
            pieces.append(f"({test} ? {then} : {otherwise})")
    if not pieces:
        return '""'
    if len(pieces) == 1 and not isinstance(nodes[0], Text):
        return f'("" & {pieces[0]})'
    return " & ".join(pieces)


def text_expression(template: Template, resolve: Resolve) -> str:
    """A JSONata expression rendering ``template`` as a string (no secret may be read)."""
    if template.secrets:
        raise TemplateError("a secret ({{env.NAME}}) cannot be read here")
    return _string_expr(template.nodes, resolve)


def parts_expression(template: Template, resolve: Resolve) -> str:
    """A JSONata expression for the parts of a template that reads secrets: an array of
    strings and ``{"env": NAME}`` objects, joined by the integration after the lookup."""
    parts: list[str] = []
    run: list[Node] = []
    for node in template.nodes:
        if isinstance(node, Ref) and node.root == "env":
            if run:
                parts.append(_string_expr(tuple(run), resolve))
                run = []
            parts.append(literal({"env": node.path[0]}))
        else:
            run.append(node)
    if run:
        parts.append(_string_expr(tuple(run), resolve))
    return f"[{', '.join(parts)}]"


def array_expression(items: list[str]) -> str:
    """A JSONata expression for the array of the values of ``items`` (expressions), each one
    item even when it is an array: JSONata's array constructor flattens array values that it
    did not build itself, so items are appended, arrays wrapped once more."""
    out = "[]"
    for item in items:
        out = f"$append({out}, ($v := {item}; $type($v) = 'array' ? [[$v]] : [$v]))"
    return out


def value_expression(value: object, resolve: Resolve) -> str:
    """A JSONata expression building the JSON ``value`` whose strings are templates: a string
    that is exactly one reference keeps the value's type (``"{{steps.a.output}}"`` is the
    object itself; null when missing), any other string renders as text."""
    if isinstance(value, str):
        template = parse_template(value)
        if len(template.nodes) == 1 and isinstance(template.nodes[0], Ref):
            ref = template.nodes[0]
            if ref.root == "env":
                raise TemplateError("a secret ({{env.NAME}}) cannot be written into step data")
            path = resolve(ref)
            return f"($exists({path}) ? {path} : null)"
        return text_expression(template, resolve)
    if isinstance(value, dict):
        items = ", ".join(
            f"{literal(str(k))}: {value_expression(v, resolve)}" for k, v in value.items()
        )
        return f"{{{items}}}"
    if isinstance(value, list):
        return array_expression([value_expression(v, resolve) for v in value])
    return literal(value)


def template_field(text: str, resolve: Resolve) -> object:
    """The ASL field value rendering the template ``text`` as a string: the text itself when
    it holds no reference, a ``{% %}`` expression, or ``{"parts": "{% [...] %}"}`` when it
    reads a secret."""
    template = parse_template(text)
    if template.is_plain:
        plain = "".join(n.text for n in template.nodes if isinstance(n, Text))
        return plain if not plain.startswith("{%") else f"{{% {literal(plain)} %}}"
    if template.secrets:
        return {"parts": f"{{% {parts_expression(template, resolve)} %}}"}
    return f"{{% {text_expression(template, resolve)} %}}"
