"""Fixtures of identity's unit tests."""
import pytest

from common import config
from identity import bootstrap
from identity import conf as identity_conf
from identity.state import IdentityState


@pytest.fixture
def state(tmp_path):
    """An IdentityState on a SQLite database of its own, bootstrapped (admin/admin-pw),
    with signing and credential keys; ``config_path`` is its config file."""
    conf = config.ConfigOpts()
    identity_conf.register(conf)
    path = tmp_path / 'identity.conf'
    path.write_text('[DEFAULT]\nstate_path = %s\n[identity]\npassword_hash_cost = 10\n'
                    'token_expiration = 3600\n' % tmp_path)
    conf.load([str(path)])
    st = IdentityState(conf)
    st.sync_schema()
    st.keys.setup()
    st.credential_keys.setup()
    bootstrap.bootstrap(st.db, 'admin', 'admin-pw', hash_cost=10)
    st.config_path = path
    yield st
    st.close()
