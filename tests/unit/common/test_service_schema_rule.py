"""One rule for every service's schema: ``<svc>-manage db-sync`` migrates; the API daemon
refuses to start on an older schema and says what to run."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def _run(module, conf, *args):
    return subprocess.run([sys.executable, '-m', module, '--config-file', str(conf)] +
                          list(args), cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize('service', ['network', 'image', 'identity'])
def test_api_refuses_old_schema_until_db_sync(tmp_path, service):
    conf = tmp_path / ('%s.conf' % service)
    conf.write_text('[DEFAULT]\nstate_path = %s\ntransport_url = fake://\n'
                    '[api]\nbind_host = 127.0.0.1\nbind_port = 1\n' % tmp_path)
    refused = _run('%s.cmd' % service, conf)
    assert refused.returncode == 2
    assert 'run "%s-manage db-sync"' % service in refused.stderr
    synced = _run('%s.manage' % service, conf, 'db-sync')
    assert synced.returncode == 0, synced.stderr
    assert '%s database at version' % service in synced.stdout
    version = _run('%s.manage' % service, conf, 'db-version')
    assert version.stdout.strip() == synced.stdout.split()[-1]
