"""Fixtures of the network functional tests: real network-api daemons (subprocesses on
free loopback ports), real RabbitMQ, and a database per test (SQLite, MariaDB, PostgreSQL)."""
import os
import signal
import subprocess
import sys
import uuid

import pytest

from common.testing.daemons import free_port
from common.testing.daemons import wait_port
from common.testing.tokens import TokenSource

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))

from network_api_helpers import AMQP  # noqa: E402

@pytest.fixture
def token_source(tmp_path):
    source = TokenSource(str(tmp_path / 'tokens'))
    yield source
    source.close()



class Daemon:
    """One network-api process with its own config file and log."""

    def __init__(self, tmp_path, token_url, db_url, name):
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.log_path = tmp_path / ('%s.log' % name)
        conf = tmp_path / ('%s.conf' % name)
        conf.write_text('\n'.join([
            '[DEFAULT]', 'state_path = %s' % tmp_path, 'transport_url = %s' % AMQP,
            'host = %s-%s' % (name, uuid.uuid4().hex[:8]), 'log_file = %s' % self.log_path,
            '[api]', 'bind_host = 127.0.0.1', 'bind_port = %d' % self.port,
            'paste_config = %s' % os.path.join(ROOT, 'etc', 'network', 'api-paste.ini'),
            '[database]', 'connection = %s' % db_url,
            '[keystone_authtoken]', 'www_authenticate_uri = %s' % token_url,
            'revocation_push = false',
            '[ml2_type_vlan]', 'network_vlan_ranges = physnet1:100:199',
            '[oslo_policy]',
            'policy_file = %s' % os.path.join(ROOT, 'etc', 'network', 'policy.yaml'), '']))
        # network-api refuses an old schema: migrate first, as devstack does.
        subprocess.run([sys.executable, '-m', 'network.manage', '--config-file', str(conf),
                        'db-sync'], cwd=ROOT, check=True, capture_output=True)
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'network.cmd', '--config-file', str(conf)], cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=open(str(self.log_path) + '.err', 'w'))
        try:
            wait_port(self.port, self.proc, timeout=60)
        except RuntimeError:
            self.stop()
            raise RuntimeError('network-api did not start: %s' % self.logs())

    def logs(self):
        out = []
        for path in (self.log_path, str(self.log_path) + '.err'):
            if os.path.exists(path):
                out.append(open(path).read()[-3000:])
        return '\n'.join(out)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def start_daemon(tmp_path, token_source):
    started = []

    def start(db_url, name='network-api'):
        daemon = Daemon(tmp_path, token_source.url, db_url, '%s%d' % (name, len(started)))
        started.append(daemon)
        return daemon
    yield start
    for daemon in started:
        daemon.stop()
