"""Hypothesis profiles for the fuzz/property tests.

* ``ci`` (default): 200 examples per target, runs in the normal ``python -m pytest``.
* ``quick``: 50 examples per target, for the quick tier ``python -m pytest -m "not slow"``
  (every target still runs; the whole suite and CI keep ``ci``).
* ``long``: at least 100,000 examples per target (docs/reliability.md, "Fuzzing")::

      HYPOTHESIS_PROFILE=long python -m pytest tests/fuzz -q -p no:randomly \
          --hypothesis-show-statistics

Every target asserts the same contract: arbitrary input gives a result or a
:class:`~g15diag.errors.G15DiagError` subclass, never another exception.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("G15DIAG_FUZZ_EXAMPLES", "100000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("quick", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    """The quick tier (exactly ``-m "not slow"``) takes ``quick`` unless a profile is named."""
    quick = (config.getoption("markexpr") or "").replace(" ", "") == "notslow"
    if quick and "HYPOTHESIS_PROFILE" not in os.environ:
        settings.load_profile("quick")
