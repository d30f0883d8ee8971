"""``java.util.Random``: the 48-bit linear congruential generator of the JDK.

``States.MathRandom(start, end, seed)`` is reproducible for a given seed
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-math-operation).
Step Functions runs on the JVM, so a seeded draw is taken from ``new Random(seed)`` with the
algorithm specified in the ``java.util.Random`` Javadoc.  Whether AWS draws with
``nextInt(end - start) + start`` (as here) is unverified: no recorded seeded value was found.
"""

from __future__ import annotations

_MULTIPLIER = 0x5DEECE66D
_INCREMENT = 0xB
_MASK = (1 << 48) - 1
_INT_OVERFLOW = 1 << 31


class JavaRandom:
    __slots__ = ("_seed",)

    def __init__(self, seed: int) -> None:
        self._seed = (seed ^ _MULTIPLIER) & _MASK

    def next_bits(self, bits: int) -> int:
        """``next(bits)``: the top ``bits`` bits of the new state, as a signed 32-bit int."""
        self._seed = (self._seed * _MULTIPLIER + _INCREMENT) & _MASK
        result = self._seed >> (48 - bits)
        return result - (1 << 32) if result >= _INT_OVERFLOW else result

    def next_int(self, bound: int | None = None) -> int:
        """``nextInt()`` or ``nextInt(bound)`` with ``0 < bound < 2**31``."""
        if bound is None:
            return self.next_bits(32)
        if not 0 < bound < _INT_OVERFLOW:
            raise ValueError("bound must be positive")
        r = self.next_bits(31)
        m = bound - 1
        if bound & m == 0:  # a power of two
            return (bound * r) >> 31
        u = r
        while True:
            r = u % bound
            if u - r + m < _INT_OVERFLOW:  # Java rejects draws whose int sum overflows
                return r
            u = self.next_bits(31)
