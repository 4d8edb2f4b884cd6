"""Fixtures shared by every suite."""
import pytest

from common.testing import identity as identity_testing


@pytest.fixture(scope='session')
def identity(tmp_path_factory):
    """A real identity-api daemon (SQLite) with users admin, demo (member of project demo)
    and svc (role service on project service); see common.testing.identity."""
    server = identity_testing.IdentityServer(str(tmp_path_factory.mktemp('identity')))
    server.start()
    yield server
    server.stop()
