"""Shared pytest fixtures."""
import mpmath
import pytest


@pytest.fixture(autouse=True)
def _reset_mpmath_precision():
    """mpmath's precision is global state: restore the default after every test."""
    yield
    mpmath.mp.dps = 15
