"""Conformance cases: AWS behaviour pinned as data, and the runners that check it."""
