import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from strongbox_harness import Engine  # noqa: E402


@pytest.fixture
def engines():
    """Makes engines (not started) and kills every one still running at teardown, whether the
    test passed or not: a failed assertion must not leave a process behind."""
    made = []

    def make(data_dir, *args):
        engine = Engine(data_dir, *args)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.kill9()
