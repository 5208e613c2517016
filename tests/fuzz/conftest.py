"""Hypothesis profiles for the fuzz/property tests.

* ``ci`` (default): 200 examples per target, runs in the normal ``python -m pytest``.
* ``long``: at least 100,000 examples per target (docs/reliability.md, "Fuzzing")::

      HYPOTHESIS_PROFILE=long python -m pytest tests/fuzz -q -p no:randomly \
          --hypothesis-show-statistics

Every target asserts the same contract: arbitrary input gives a result or a
:class:`~g15diag.errors.G15DiagError` subclass, never another exception.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("G15DIAG_FUZZ_EXAMPLES", "100000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
