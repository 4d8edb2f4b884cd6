"""./devstack.sh brings a whole cloud up as a newcomer would, and the real openstack client
works against it: run on 127.0.0.2 with SQLite in a temporary state directory so it never
disturbs a cloud already running on this machine."""
import os
import subprocess

import pytest

from common.testing import daemons

HOST = '127.0.0.2'


def run(cmd, env, check=True, timeout=300):
    proc = subprocess.run(cmd, env=env, cwd=daemons.REPO, capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError('%s failed (%d):\n%s\n%s' % (cmd, proc.returncode, proc.stdout,
                                                          proc.stderr))
    return proc


def openrc_env(state, user):
    """The variables ``source openrc <user>`` sets, read by a shell."""
    out = subprocess.run(['bash', '-c', 'source "$1" "$2" >/dev/null && env', 'x',
                          os.path.join(daemons.REPO, 'openrc'), user],
                         capture_output=True, text=True, check=True).stdout
    env = dict(line.split('=', 1) for line in out.splitlines() if '=' in line)
    return {k: v for k, v in env.items() if k.startswith('OS_') or k == 'PATH'}


@pytest.fixture(scope='module')
def cloud(tmp_path_factory):
    state = str(tmp_path_factory.mktemp('devstack-state'))
    env = dict(os.environ, STATE_DIR=state, HOST_IP=HOST, DATABASE='sqlite',
               RABBIT_VHOST='cirrostack-devstack-test', NETWORK_PUBLIC_IF='cstst',
               NETWORK_PUBLIC_CIDR='172.24.9.0/24', NETWORK_CHAIN_PREFIX='csT')
    openrc = os.path.join(daemons.REPO, 'openrc')
    saved = open(openrc).read() if os.path.exists(openrc) else None
    try:
        result = run(['./devstack.sh'], env, timeout=600)
        yield {'state': state, 'env': env, 'output': result.stdout,
               'admin': openrc_env(state, 'admin'), 'demo': openrc_env(state, 'demo')}
    finally:
        run(['./devstack.sh', 'clean'], env, check=False)
        subprocess.run(['rabbitmqctl', '-q', 'delete_vhost', 'cirrostack-devstack-test'],
                       capture_output=True)
        if saved is not None:
            with open(openrc, 'w') as handle:
                handle.write(saved)


def osc(cloud, user, *args, check=True):
    env = dict(os.environ, **cloud[user])
    return run([os.path.join(daemons.REPO, '.venv', 'bin', 'openstack')] + list(args), env,
               check=check, timeout=120)


def test_devstack_reports_time_and_status(cloud):
    assert 'started in' in cloud['output']
    status = run(['./devstack.sh', 'status'], cloud['env']).stdout
    for daemon in ('identity-api', 'image-api', 'network-api', 'network-l3-agent',
                   'objectstore-proxy', 'objectstore-replicator'):
        assert daemon in status
    assert 'dead' not in status


def test_admin_flows_through_openstack_client(cloud):
    assert osc(cloud, 'admin', 'token', 'issue', '-f', 'value', '-c', 'id').stdout.strip()
    catalog = osc(cloud, 'admin', 'catalog', 'list', '-f', 'value', '-c', 'Type').stdout
    assert 'identity' in catalog
    osc(cloud, 'admin', 'project', 'create', 'ds-proj')
    osc(cloud, 'admin', 'user', 'create', '--password', 'ds-pw', 'ds-user')
    osc(cloud, 'admin', 'role', 'add', '--project', 'ds-proj', '--user', 'ds-user', 'member')
    listing = osc(cloud, 'admin', 'role', 'assignment', 'list', '--effective', '--names',
                  '-f', 'value').stdout
    assert 'ds-user@Default' in listing and 'reader' in listing
    cred = osc(cloud, 'admin', 'application', 'credential', 'create', 'ds-app', '-f', 'value',
               '-c', 'secret').stdout.strip()
    assert len(cred) > 20


def test_demo_cannot_list_users_or_see_admin_project(cloud):
    denied = osc(cloud, 'demo', 'user', 'list', check=False)
    assert denied.returncode != 0 and '403' in denied.stderr
    projects = osc(cloud, 'demo', 'project', 'list', '-f', 'value', '-c', 'Name').stdout.split()
    assert projects == ['demo']
    hidden = osc(cloud, 'demo', 'project', 'show', 'admin', check=False)
    assert hidden.returncode != 0


def test_passwords_are_generated(cloud):
    with open(os.path.join(cloud['state'], 'passwords')) as handle:
        values = dict(line.strip().split('=', 1) for line in handle if '=' in line)
    assert len(values['ADMIN_PASSWORD']) >= 32 and values['ADMIN_PASSWORD'] != \
        values['DEMO_PASSWORD']


def test_guest_image_is_uploaded_and_downloads_intact(cloud, tmp_path):
    import hashlib
    rows = osc(cloud, 'demo', 'image', 'list', '-f', 'value', '-c', 'Name', '-c',
               'Status').stdout
    assert 'guest active' in rows
    saved = tmp_path / 'guest.qcow2'
    osc(cloud, 'demo', 'image', 'save', '--file', str(saved), 'guest')
    built = os.path.join(cloud['state'], 'data', 'guest.qcow2')
    digest = [hashlib.md5(open(p, 'rb').read()).hexdigest() for p in (saved, built)]
    assert digest[0] == digest[1]


def test_object_store_round_trip_as_demo(cloud, tmp_path):
    import hashlib
    payload = tmp_path / 'payload.bin'
    payload.write_bytes(os.urandom(3 * 1024 * 1024 + 7))
    osc(cloud, 'demo', 'container', 'create', 'ds-container')
    osc(cloud, 'demo', 'object', 'create', 'ds-container', str(payload), '--name', 'p.bin')
    listed = osc(cloud, 'demo', 'object', 'list', 'ds-container', '-f', 'value').stdout
    assert 'p.bin' in listed
    back = tmp_path / 'back.bin'
    osc(cloud, 'demo', 'object', 'save', '--file', str(back), 'ds-container', 'p.bin')
    assert hashlib.md5(back.read_bytes()).digest() == hashlib.md5(payload.read_bytes()).digest()
    hidden = osc(cloud, 'admin', 'object', 'list', 'ds-container', check=False)
    assert hidden.returncode != 0, 'admin project has its own account'


def test_network_agents_alive_and_router_gateway_answers(cloud):
    import json
    import time
    deadline = time.monotonic() + 60
    while True:
        agents = json.loads(osc(cloud, 'admin', 'network', 'agent', 'list', '-f',
                                'json').stdout)
        if len(agents) == 4 and all(a['Alive'] for a in agents) or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert sorted(a['Agent Type'] for a in agents) == [
        'DHCP agent', 'L3 agent', 'Linux bridge agent', 'Metadata agent']
    assert all(a['Alive'] for a in agents)
    router = json.loads(osc(cloud, 'demo', 'router', 'show', 'router1', '-f', 'json').stdout)
    gateway_ip = router['external_gateway_info']['external_fixed_ips'][0]['ip_address']
    assert gateway_ip.startswith('172.24.9.')
    deadline = time.monotonic() + 30
    while subprocess.run(['ping', '-c', '1', '-W', '1', gateway_ip],
                         capture_output=True).returncode != 0:
        assert time.monotonic() < deadline, 'router gateway %s never answered' % gateway_ip
        time.sleep(1)
