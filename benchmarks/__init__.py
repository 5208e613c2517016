"""g15diag benchmarks: ``python -m benchmarks`` (see README "Benchmarks").

Every figure is measured against a baseline in the same run, on the same machine, and the
results are written to ``docs/performance.md``. Nothing here is part of the pytest suite.
"""
