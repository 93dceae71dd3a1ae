"""Benchmarks, run on demand with ``python -m tests.benchmarks`` (see README).

Each ``bench_*.py`` module here has ``run(report)``; it measures the app and
a floor (the same work done the plainest way, on the same machine, in the
same run) and calls ``report`` once per figure. Nothing here asserts on time:
the figures are printed next to their floors and goals for a person to read.
"""
