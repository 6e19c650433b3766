"""Test configuration: hypothesis profiles, numpy floating-point errors, the slow tier.

* Hypothesis profiles (choose with ``HYPOTHESIS_PROFILE``): ``ci`` (default; derandomized, no example
  database, no deadline, 50 examples), ``dev`` (100 examples) and ``thorough`` (1000 examples).
* numpy raises on every floating-point error (overflow, invalid, divide, underflow) inside every
  test, so a NaN or an overflow in a construction can never slip through as a silent value.
* Tests marked ``slow`` (the marker is registered in ``pyproject.toml``) are deselected unless
  ``--run-slow`` is given or the ``-m`` expression mentions ``slow`` (e.g. ``-m slow``).
"""

import os

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, max_examples=50)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.register_profile("thorough", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow") or "slow" in (config.getoption("markexpr") or ""):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


@pytest.fixture(autouse=True)
def _numpy_raises_on_floating_point_errors():
    old = np.seterr(all="raise")
    try:
        yield
    finally:
        np.seterr(**old)


@pytest.fixture(scope="session")
def default_results():
    """Every claim's evidence with the default parameters, run once per session (``varproof.verify.docs.run_all``)."""
    from varproof.verify.docs import run_all

    return run_all()
