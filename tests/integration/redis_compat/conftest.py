"""The differential tests' fixture name in this family: the shared engine_and_redis."""
import pytest


@pytest.fixture
def pair(engine_and_redis):
    return engine_and_redis
