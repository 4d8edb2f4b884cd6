"""Fixtures for the network agents' integration tests: a private topology per test.

Everything lives on bridges and in namespaces the test creates (the "outside world" is a
namespace behind a veth), named with a random suffix, and is removed afterwards.
"""
import os
import sys

import pytest

# Lets the test modules import their state builder (network_agent_cloud.py).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from network_netns_helpers import SKIP, Topology  # noqa: E402


@pytest.fixture
def topo():
    if SKIP:
        pytest.skip(SKIP)
    t = Topology()
    try:
        yield t
    finally:
        t.teardown()
