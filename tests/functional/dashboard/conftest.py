"""Fixtures of the dashboard functional tests."""
import pytest

from dashboard import app as app_mod
from dashboard.conf import CONF


@pytest.fixture
def dash(identity, tmp_path):
    """The dashboard app in this process, logging in at the real identity daemon."""
    CONF.set_override('state_path', str(tmp_path))
    CONF.set_override('auth_url', identity.auth_url, 'dashboard')
    app = app_mod.Dashboard(CONF)
    yield app
    CONF.clear_override('state_path')
    CONF.clear_override('auth_url', 'dashboard')
