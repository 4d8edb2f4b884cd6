"""The ``identity`` CLI against a real identity daemon: tables by default, -f json,
clear errors and exit codes."""
import json
import os
import subprocess
import sys

from common.testing import daemons


def cli(identity, *args, user='admin', check=True):
    env = dict(os.environ, **identity.os_env(user))
    proc = subprocess.run([sys.executable, '-m', 'identity.cli'] + list(args), env=env,
                          cwd=daemons.REPO, capture_output=True, text=True, timeout=60)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_project_user_role_flow_with_json_output(identity):
    project = json.loads(cli(identity, '-f', 'json', 'project', 'create', 'cli-proj').stdout)
    assert project['name'] == 'cli-proj' and project['domain_id'] == 'default'
    user = json.loads(cli(identity, '-f', 'json', 'user', 'create', 'cli-user', '--password',
                          'cli-pw', '--project', 'cli-proj').stdout)
    assert user['default_project_id'] == project['id'] and 'password' not in user
    cli(identity, 'role', 'add', 'member', '--user', 'cli-user', '--project', 'cli-proj')
    rows = json.loads(cli(identity, '-f', 'json', 'assignment', 'list', '--effective',
                          '--user', 'cli-user').stdout)
    assert {(r['Role'], r['Scope']) for r in rows} == {('member', 'cli-proj'),
                                                       ('reader', 'cli-proj')}


def test_tables_and_catalog(identity):
    out = cli(identity, 'user', 'list').stdout
    assert out.startswith('+') and '| Name' in out and 'admin' in out
    catalog = cli(identity, 'catalog', 'list').stdout
    assert 'identity' in catalog and identity.url in catalog


def test_errors_are_clear_and_exit_nonzero(identity):
    missing = cli(identity, 'user', 'show', 'no-such-user', check=False)
    assert missing.returncode == 1 and 'No unique user named no-such-user' in missing.stderr
    denied = cli(identity, 'user', 'list', user='demo', check=False)
    assert denied.returncode == 1 and 'HTTP 403' in denied.stderr
    bad = cli(identity, 'role', 'add', 'member', '--user', 'demo', check=False)
    assert bad.returncode == 1 and '--project, --domain and --system' in bad.stderr


def test_ec2_and_application_credentials_for_self(identity):
    cred = json.loads(cli(identity, '-f', 'json', 'ec2-credential', 'create',
                          user='demo').stdout)
    assert len(cred['access']) == 32 and cred['tenant_id'] == identity.project_ids['demo']
    app = json.loads(cli(identity, '-f', 'json', 'application-credential', 'create',
                         'cli-app', user='demo').stdout)
    assert app['secret'] and [r['name'] for r in app['roles']]
