"""Benchmarks of the kikg toolkit against its peers (``python -m bench``; see :mod:`bench.__main__`).

Not part of the package or the tests: speed is measured here, never asserted in tests.
"""
