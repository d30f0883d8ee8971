"""StringMatches patterns: ``*`` matches any run of characters, ``\\*`` a literal star and
``\\\\`` a literal backslash (https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html).
"""

from __future__ import annotations

from collections.abc import Callable


def pattern_segments(pattern: str) -> list[str] | None:
    """The literal runs between unescaped ``*``; None when the pattern has an open escape."""
    segments: list[str] = []
    current: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            escaped = next(chars, None)
            if escaped != "*" and escaped != "\\":
                return None
            current.append(escaped)
        elif char == "*":
            segments.append("".join(current))
            current = []
        else:
            current.append(char)
    segments.append("".join(current))
    return segments


def glob(segments: list[str]) -> Callable[[str], bool]:
    """A matcher for ``segment0 * segment1 * ... * segmentN``.

    Rather than a backtracking regex (``*a*a*a*b`` against a long string takes time polynomial
    in the number of stars), the first and last segments are checked at the ends and each
    middle one is found leftmost-first: with ``*`` the only wildcard, the leftmost placement is
    always safe, so matching never backtracks and each scan runs in C.
    """
    if len(segments) == 1:
        literal = segments[0]
        return lambda text: text == literal
    head, *middle, tail = segments
    inner = tuple(segment for segment in middle if segment)
    fixed = len(head) + len(tail)

    def glob(text: str) -> bool:
        if len(text) < fixed or not text.startswith(head) or not text.endswith(tail):
            return False
        position, end = len(head), len(text) - len(tail)
        for segment in inner:
            found = text.find(segment, position, end)
            if found < 0:
                return False
            position = found + len(segment)
        return True

    return glob
