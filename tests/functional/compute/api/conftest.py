"""Fixtures of the compute API functional tests: compute-api as a real daemon (a
subprocess on a free port) over a real database, with tokens from the test key source."""
import os
import subprocess
import sys
import uuid

import pytest

from common.testing import daemons
from common.testing import tokens as test_tokens

AMQP = daemons.private_rabbit_vhost('cs-compute-api-test')


@pytest.fixture
def token_source(tmp_path):
    source = test_tokens.TokenSource(str(tmp_path / 'tokens'))
    yield source
    source.close()


@pytest.fixture
def compute_api(tmp_path, token_source):
    """compute-api with its own config file, SQLite database (schema made by
    compute-manage db-sync, as devstack does) and log; ``.url`` is its base URL."""
    port = daemons.free_port()
    etc = os.path.join(daemons.REPO, 'etc', 'compute')
    conf = daemons.write_ini(str(tmp_path / 'compute.conf'), {
        'DEFAULT': {'state_path': tmp_path, 'transport_url': AMQP,
                    'host': 'api-%s' % uuid.uuid4().hex[:8]},
        'api': {'bind_host': '127.0.0.1', 'bind_port': port,
                'paste_config': os.path.join(etc, 'api-paste.ini')},
        'database': {'connection': 'sqlite:///%s' % (tmp_path / 'compute.sqlite')},
        'keystone_authtoken': {'www_authenticate_uri': token_source.url,
                               'revocation_push': 'false'},
        'oslo_policy': {'policy_file': os.path.join(etc, 'policy.yaml')}})
    subprocess.run([sys.executable, '-m', 'compute.manage', '--config-file', conf, 'db_sync'],
                   cwd=daemons.REPO, check=True, capture_output=True, timeout=120)
    daemon = daemons.Daemon('compute.cmd', conf, str(tmp_path / 'compute-api.log')).start()
    daemon.url = 'http://127.0.0.1:%d' % port
    try:
        daemons.wait_http(daemon.url + '/', proc=daemon.proc, log_path=daemon.log_path,
                          timeout=60)
        yield daemon
    finally:
        daemon.stop()
