"""./devstack.sh brings a whole cloud up as a newcomer would, and the real openstack client
works against it: run on 127.0.0.2 in a temporary state directory, with the machine's
MariaDB under databases and users of its own prefix (dropped afterwards), so it never
disturbs a cloud already running on this machine."""
import glob
import json
import os
import shutil
import stat
import subprocess
import tempfile

import pytest

from common.testing import daemons

HOST = '127.0.0.2'
DB_PREFIX = 'csdevstacktest'
SERVICES_WITH_DB = ('identity', 'image', 'network', 'compute', 'blockstore')
# This cloud's own tgtd (control port and portal), stopped by devstack.sh clean.
TGT_CONTROL_PORT = '32'


def drop_databases():
    for service in SERVICES_WITH_DB:
        name = '%s_%s' % (DB_PREFIX, service)
        subprocess.run(['mysql', '-uroot', '-h127.0.0.1', '-e',
                        "DROP DATABASE IF EXISTS `{0}`; DROP USER IF EXISTS '{0}'@'127.0.0.1'; "
                        "DROP USER IF EXISTS '{0}'@'localhost';".format(name)],
                       capture_output=True)


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
                          os.path.join(state, 'openrc'), user],
                         capture_output=True, text=True, check=True).stdout
    env = dict(line.split('=', 1) for line in out.splitlines() if '=' in line)
    return {k: v for k, v in env.items() if k.startswith('OS_') or k == 'PATH'}


@pytest.fixture(scope='module')
def cloud():
    # Not under pytest's base directory (0700): dnsmasq, as nobody, must be able to pass
    # through every directory down to its files, as it can under ./state.
    state = tempfile.mkdtemp(prefix='cs-devstack-state-', dir='/tmp')
    env = dict(os.environ, STATE_DIR=state, HOST_IP=HOST, DATABASE='mysql',
               DB_PREFIX=DB_PREFIX, RABBIT_VHOST='cirrostack-devstack-test',
               NETWORK_PUBLIC_IF='cstst', NETWORK_PUBLIC_CIDR='172.24.9.0/24',
               NETWORK_CHAIN_PREFIX='csT', OPENRC=os.path.join(state, 'openrc'),
               TGT_CONTROL_PORT=TGT_CONTROL_PORT, TGT_PORTAL='%s:3260' % HOST)
    drop_databases()
    try:
        result = run(['./devstack.sh'], env, timeout=600)
        yield {'state': state, 'env': env, 'output': result.stdout,
               'admin': openrc_env(state, 'admin'), 'demo': openrc_env(state, 'demo')}
    finally:
        run(['./devstack.sh', 'clean'], env, check=False)
        drop_databases()
        subprocess.run(['rabbitmqctl', '-q', 'delete_vhost', 'cirrostack-devstack-test'],
                       capture_output=True)
        shutil.rmtree(state, ignore_errors=True)


def log_tracebacks(state):
    """The last traceback each of the cloud's daemons logged: a failing client command in
    CI then says why the server answered 500."""
    found = []
    for path in sorted(glob.glob(os.path.join(state, 'logs', '*.log'))):
        last = None
        lines = open(path, errors='replace').read().splitlines()
        for i, line in enumerate(lines):
            if line.startswith('Traceback'):
                end = i + 1
                while end < len(lines) and (lines[end].startswith((' ', '\t'))
                                            or not lines[end].strip()):
                    end += 1
                last = '\n'.join(lines[max(0, i - 2):end + 1])
        if last:
            found.append('%s:\n%s' % (os.path.basename(path), last))
    return '\n'.join(found)


def osc(cloud, user, *args, check=True):
    env = dict(os.environ, **cloud[user])
    try:
        return run([os.path.join(daemons.REPO, '.venv', 'bin', 'openstack')] + list(args),
                   env, check=check, timeout=120)
    except AssertionError as exc:
        raise AssertionError('%s\n--- tracebacks in the logs ---\n%s' % (
            exc, log_tracebacks(cloud['state']))) from None


def test_devstack_reports_time_and_status(cloud):
    assert 'started in' in cloud['output']
    status = run(['./devstack.sh', 'status'], cloud['env']).stdout
    for daemon in ('identity-api', 'image-api', 'network-api', 'network-l3-agent',
                   'objectstore-proxy', 'objectstore-replicator', 'objectstore-container-sync',
                   'compute-api', 'compute-metadata', 'compute-conductor',
                   'compute-scheduler', 'compute-worker', 'dashboard'):
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


def test_dashboard_serves_its_login_page(cloud):
    import urllib.request
    with urllib.request.urlopen('http://%s:8000/auth/login' % HOST, timeout=30) as resp:
        assert resp.status == 200
        assert 'csdash_session=' in resp.headers['Set-Cookie']
        assert b'id="login-form"' in resp.read()


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


def test_object_store_reseller_role_and_container_sync(cloud):
    """devstack makes the ResellerAdmin role (tempest assigns it) and one sync realm
    holding this cluster, whose daemon copies a demo container into an admin one."""
    import time
    import urllib.error
    import urllib.request
    assert osc(cloud, 'admin', 'role', 'show', 'ResellerAdmin', '-f', 'value', '-c',
               'name').stdout.strip() == 'ResellerAdmin'
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    info = json.loads(opener.open('http://%s:8080/info' % HOST, timeout=10).read())
    assert info['container_sync'] == {'realms': {'DEVSTACK': {'clusters': {'LOCAL': {}}}}}
    admin_account = 'AUTH_' + osc(cloud, 'admin', 'token', 'issue', '-f', 'value', '-c',
                                  'project_id').stdout.strip()
    osc(cloud, 'admin', 'container', 'create', 'ds-sync-copy')
    token = osc(cloud, 'admin', 'token', 'issue', '-f', 'value', '-c', 'id').stdout.strip()

    def call(method, path, headers):
        req = urllib.request.Request('http://%s:8080/v1/%s' % (HOST, path), method=method,
                                     headers=dict(headers, **{'X-Auth-Token': token}))
        return opener.open(req, timeout=10)
    call('POST', admin_account + '/ds-sync-copy', {'X-Container-Sync-Key': 'ds-key'})
    osc(cloud, 'demo', 'container', 'create', 'ds-sync-src')
    demo_token = osc(cloud, 'demo', 'token', 'issue', '-f', 'value', '-c', 'id').stdout.strip()
    demo_account = 'AUTH_' + osc(cloud, 'demo', 'token', 'issue', '-f', 'value', '-c',
                                 'project_id').stdout.strip()
    req = urllib.request.Request(
        'http://%s:8080/v1/%s/ds-sync-src' % (HOST, demo_account), method='POST', headers={
            'X-Auth-Token': demo_token, 'X-Container-Sync-Key': 'ds-key',
            'X-Container-Sync-To': '//devstack/local/%s/ds-sync-copy' % admin_account})
    opener.open(req, timeout=10)
    req = urllib.request.Request(
        'http://%s:8080/v1/%s/ds-sync-src/synced' % (HOST, demo_account), method='PUT',
        data=b'synced body', headers={'X-Auth-Token': demo_token})
    opener.open(req, timeout=10)
    deadline = time.monotonic() + 60
    while True:
        try:
            body = call('GET', admin_account + '/ds-sync-copy/synced', {}).read()
            break
        except urllib.error.HTTPError as exc:
            assert exc.code == 404 and time.monotonic() < deadline, 'never synced'
            time.sleep(2)
    assert body == b'synced body'


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


def _secrets(state):
    with open(os.path.join(state, 'passwords')) as handle:
        return [line.strip().split('=', 1)[1] for line in handle if '=' in line]


def test_services_use_their_own_database_users_never_root(cloud):
    state = cloud['state']
    found = subprocess.run(['grep', '-r', 'root@', os.path.join(state, 'etc')],
                           capture_output=True, text=True)
    assert found.returncode == 1 and found.stdout == '', found.stdout
    for service in SERVICES_WITH_DB:
        with open(os.path.join(state, 'etc', service, '%s.conf' % service)) as handle:
            urls = [line.split('=', 1)[1].strip() for line in handle
                    if line.startswith('connection')]
        name = '%s_%s' % (DB_PREFIX, service)
        assert urls and urls[0].startswith('mysql+pymysql://%s:' % name), urls
        assert urls[0].split('@', 1)[1].startswith('127.0.0.1/%s?' % name)
    grants = subprocess.run(['mysql', '-uroot', '-h127.0.0.1', '-N', '-e',
                             "SHOW GRANTS FOR '%s_image'@'127.0.0.1'" % DB_PREFIX],
                            capture_output=True, text=True, check=True).stdout
    assert '`%s_image`.*' % DB_PREFIX in grants
    assert 'ON *.*' not in grants.replace('GRANT USAGE ON *.*', '')


def test_no_file_holding_a_secret_is_readable_by_other_users(cloud):
    state = cloud['state']
    secrets = [s.encode() for s in _secrets(state)]
    readable = subprocess.run(['find', state, '-perm', '-o+r', '-type', 'f'],
                              capture_output=True, text=True, check=True).stdout.split()
    for path in readable:
        # Only dnsmasq's own hosts/options files (it reads them as nobody) and the
        # compute image cache (copies of images QEMU reads as libvirt-qemu; no secrets).
        assert '/dhcp-agent/dhcp/' in path or '/compute/instances/_base/' in path, path
        with open(path, 'rb') as handle:
            content = handle.read()
        assert not any(secret in content for secret in secrets), path
    holding = [os.path.join(state, 'passwords'), os.path.join(state, 'openrc')]
    holding += glob.glob(os.path.join(state, 'etc', '*', '*'))
    holding += glob.glob(os.path.join(state, 'data', 'identity', 'keys', '*'))
    for path in holding:
        assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0, path
    conf = os.path.join(state, 'etc', 'network', 'network.conf')
    denied = subprocess.run(['runuser', '-u', 'nobody', '--', 'cat', conf],
                            capture_output=True)
    assert denied.returncode != 0


def test_dnsmasq_runs_as_nobody_and_reads_its_own_files(cloud):
    hosts = glob.glob(os.path.join(cloud['state'], 'data', 'network', 'dhcp-agent', 'dhcp',
                                   '*', 'hosts'))
    assert hosts, 'the demo network has a DHCP server'
    for path in hosts:
        readable = subprocess.run(['runuser', '-u', 'nobody', '--', 'cat', path],
                                  capture_output=True)
        assert readable.returncode == 0, readable.stderr
        pid = open(os.path.join(os.path.dirname(path), 'pid')).read().strip()
        user = subprocess.run(['ps', '-o', 'user=', '-p', pid], capture_output=True,
                              text=True).stdout.strip()
        assert user == 'nobody'


def test_public_network_is_external_and_not_shared(cloud):
    public = json.loads(osc(cloud, 'admin', 'network', 'show', 'public', '-f',
                            'json').stdout)
    assert public['router:external'] in (True, 'External')
    assert public['shared'] is False
    made = osc(cloud, 'demo', 'port', 'create', '--network', 'public', 'ds-on-public',
               check=False)
    assert made.returncode != 0
    ports = osc(cloud, 'admin', 'port', 'list', '--network', 'public', '-f', 'value', '-c',
                'Name').stdout.split()
    assert 'ds-on-public' not in ports


def _ssh(key, user, address, command, timeout=20):
    return subprocess.run(['ssh', '-i', str(key), '-o', 'StrictHostKeyChecking=no', '-o',
                           'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o',
                           'BatchMode=yes', '-o', 'ConnectTimeout=5',
                           '%s@%s' % (user, address), command],
                          capture_output=True, text=True, timeout=timeout)


def _wait_ssh(key, address, command='id -un; hostname', user='guest', timeout=240):
    """The guest answers SSH (its sshd starts last in its boot): the command's output."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        try:
            proc = _ssh(key, user, address, command)
            if proc.returncode == 0:
                return proc.stdout
            error = proc.stderr
        except subprocess.TimeoutExpired as exc:
            error = str(exc)
        assert time.monotonic() < deadline, 'no SSH to %s@%s: %s' % (user, address, error)
        time.sleep(3)


def _server(cloud, name):
    return json.loads(osc(cloud, 'demo', 'server', 'show', name, '-f', 'json').stdout)


def _wait_server(cloud, name, status, timeout=240):
    import time
    deadline = time.monotonic() + timeout
    while True:
        server = _server(cloud, name)
        if server['status'] == status and not server.get('OS-EXT-STS:task_state'):
            return server
        assert server['status'] != 'ERROR', server.get('fault')
        assert time.monotonic() < deadline, '%s is %s/%s, not %s' % (
            name, server['status'], server.get('OS-EXT-STS:task_state'), status)
        time.sleep(2)


def _domain_exists(server_id):
    return server_id in subprocess.run(['virsh', '-c', 'qemu:///system', 'list', '--all',
                                        '--uuid'], capture_output=True, text=True).stdout


def _flavor_name(server):
    flavor = server['flavor']
    if isinstance(flavor, dict):      # microversion 2.47+: the embedded flavor
        return flavor.get('original_name') or flavor.get('name')
    return flavor.split(' ')[0]


@pytest.fixture(scope='module')
def vm1(cloud, tmp_path_factory):
    """The README's walk-through server: key pair k1, user data, SSH and ICMP opened in
    the default group, a floating IP.  Deleted by the last test of the walk-through."""
    key = tmp_path_factory.mktemp('vm1') / 'k1'
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', str(key)],
                   check=True)
    osc(cloud, 'demo', 'keypair', 'create', '--public-key', str(key) + '.pub', 'k1')
    script = key.parent / 'script.sh'
    script.write_text('#!/bin/sh\necho hello > /tmp/hello\n')
    created = json.loads(osc(cloud, 'demo', 'server', 'create', '--image', 'guest',
                             '--flavor', 'm1.nano', '--network', 'private', '--key-name',
                             'k1', '--user-data', str(script), '--wait', 'vm1', '-f',
                             'json').stdout)
    osc(cloud, 'demo', 'security', 'group', 'rule', 'create', '--protocol', 'tcp',
        '--dst-port', '22', 'default')
    osc(cloud, 'demo', 'security', 'group', 'rule', 'create', '--protocol', 'icmp',
        'default')
    fip = osc(cloud, 'demo', 'floating', 'ip', 'create', 'public', '-f', 'value', '-c',
              'floating_ip_address').stdout.strip()
    osc(cloud, 'demo', 'server', 'add', 'floating', 'ip', 'vm1', fip)
    yield {'created': created, 'id': created['id'], 'key': key, 'fip': fip}
    osc(cloud, 'demo', 'server', 'delete', '--wait', 'vm1', check=False)


def test_server_walkthrough_ssh_as_guest_and_root(cloud, vm1):
    """The README's walk-through: ACTIVE with a DHCP address, the console log shows the
    boot, and `ssh guest@<fip>` (the image's user, with the key from the metadata) and
    `ssh root@<fip>` reach a guest named vm1 that ran the user data."""
    created = vm1['created']
    assert created['status'] == 'ACTIVE', created
    assert '10.0.0.' in json.dumps(created['addresses']), created['addresses']
    assert _wait_ssh(vm1['key'], vm1['fip'], 'id -un; hostname; cat /tmp/hello').split() == \
        ['guest', 'vm1', 'hello']
    assert _wait_ssh(vm1['key'], vm1['fip'], 'id -un; hostname', user='root').split() == \
        ['root', 'vm1']
    meta = json.loads(_wait_ssh(vm1['key'], vm1['fip'], 'cat /run/guest/md/meta_data.json'))
    assert meta['name'] == 'vm1' and meta['hostname'] == 'vm1.novalocal'
    log = osc(cloud, 'demo', 'console', 'log', 'show', 'vm1').stdout
    assert 'guest: dhcp ok 10.0.0.' in log and 'guest: user-data script done rc=0' in log


def test_server_actions_leave_the_guest_reachable(cloud, vm1, tmp_path):
    """Resize (revert, then confirm), an image of the server that boots, rescue and
    unrescue, shelve (offloaded at once: no domain) and unshelve: after each the guest
    answers SSH on its floating IP again."""
    import time
    key, fip = vm1['key'], vm1['fip']
    started = time.monotonic()
    osc(cloud, 'demo', 'server', 'resize', '--flavor', 'm1.micro', '--wait', 'vm1')
    assert _flavor_name(_wait_server(cloud, 'vm1', 'VERIFY_RESIZE')) == 'm1.micro'
    assert _wait_ssh(key, fip).split() == ['guest', 'vm1']
    osc(cloud, 'demo', 'server', 'resize', 'revert', 'vm1')
    assert _flavor_name(_wait_server(cloud, 'vm1', 'ACTIVE')) == 'm1.nano'
    assert _wait_ssh(key, fip).split() == ['guest', 'vm1']
    osc(cloud, 'demo', 'server', 'resize', '--flavor', 'm1.micro', '--wait', 'vm1')
    _wait_server(cloud, 'vm1', 'VERIFY_RESIZE')
    osc(cloud, 'demo', 'server', 'resize', 'confirm', 'vm1')
    assert _flavor_name(_wait_server(cloud, 'vm1', 'ACTIVE')) == 'm1.micro'
    # m1.micro has 192 MiB: the guest sees more than all of m1.nano's 128 MiB.
    mem_kib = int(_wait_ssh(key, fip, "awk '/MemTotal/{print $2}' /proc/meminfo"))
    assert mem_kib > 128 * 1024, mem_kib
    timings = {'resize+revert+resize+confirm': time.monotonic() - started}

    started = time.monotonic()
    osc(cloud, 'demo', 'server', 'image', 'create', '--name', 'vm1-snap', '--wait', 'vm1')
    image = json.loads(osc(cloud, 'demo', 'image', 'show', 'vm1-snap', '-f', 'json').stdout)
    assert image['status'] == 'active'
    _wait_server(cloud, 'vm1', 'ACTIVE')
    snap = json.loads(osc(cloud, 'demo', 'server', 'create', '--image', 'vm1-snap',
                          '--flavor', 'm1.micro', '--network', 'private', '--key-name',
                          'k1', '--wait', 'vm1-copy', '-f', 'json').stdout)
    try:
        assert snap['status'] == 'ACTIVE', snap
        deadline = time.monotonic() + 240
        while 'guest: boot complete hostname=vm1-copy' not in osc(
                cloud, 'demo', 'console', 'log', 'show', 'vm1-copy').stdout:
            assert time.monotonic() < deadline, 'the snapshot never booted'
            time.sleep(3)
    finally:
        osc(cloud, 'demo', 'server', 'delete', '--wait', 'vm1-copy', check=False)
        osc(cloud, 'demo', 'image', 'delete', 'vm1-snap', check=False)
    assert _wait_ssh(key, fip).split() == ['guest', 'vm1']
    timings['image create+boot'] = time.monotonic() - started

    started = time.monotonic()
    osc(cloud, 'demo', 'server', 'rescue', 'vm1')
    _wait_server(cloud, 'vm1', 'RESCUE')
    # The rescue guest boots the image with the server's disk beside it, on its port.
    assert _wait_ssh(key, fip, 'hostname; ls /sys/block').split()[0] == 'vm1'
    osc(cloud, 'demo', 'server', 'unrescue', 'vm1')
    _wait_server(cloud, 'vm1', 'ACTIVE')
    assert _wait_ssh(key, fip).split() == ['guest', 'vm1']
    timings['rescue+unrescue'] = time.monotonic() - started

    started = time.monotonic()
    osc(cloud, 'demo', 'server', 'shelve', 'vm1')
    shelved = _wait_server(cloud, 'vm1', 'SHELVED_OFFLOADED')
    assert not shelved.get('OS-EXT-SRV-ATTR:host') and not _domain_exists(vm1['id'])
    snapshots = osc(cloud, 'demo', 'image', 'list', '-f', 'value', '-c', 'Name').stdout
    assert 'vm1-shelved' in snapshots.split()
    osc(cloud, 'demo', 'server', 'unshelve', 'vm1')
    _wait_server(cloud, 'vm1', 'ACTIVE')
    assert _wait_ssh(key, fip).split() == ['guest', 'vm1']
    snapshots = osc(cloud, 'demo', 'image', 'list', '-f', 'value', '-c', 'Name').stdout
    assert 'vm1-shelved' not in snapshots.split()
    timings['shelve+unshelve'] = time.monotonic() - started
    print('\n[actions on a real guest] ' + ', '.join('%s %.0f s' % item
                                                   for item in timings.items()))


def test_server_delete_leaves_no_domain_tap_or_port(cloud, vm1):
    ports = json.loads(osc(cloud, 'admin', 'port', 'list', '--device-id', vm1['id'], '-f',
                           'json').stdout)
    assert len(ports) == 1
    tap = 'tap' + ports[0]['ID'][:11]
    osc(cloud, 'demo', 'server', 'delete', '--wait', 'vm1')
    assert 'vm1' not in osc(cloud, 'demo', 'server', 'list', '-f', 'value').stdout
    assert not _domain_exists(vm1['id'])
    assert subprocess.run(['ip', 'link', 'show', tap], capture_output=True).returncode != 0
    left = osc(cloud, 'admin', 'port', 'list', '--device-id', vm1['id'], '-f',
               'value').stdout
    assert left.strip() == ''
    assert not os.path.exists(os.path.join(cloud['state'], 'data', 'compute', 'instances',
                                           vm1['id']))


def _targets():
    return subprocess.run(['tgtadm', '-C', TGT_CONTROL_PORT, '--lld', 'iscsi', '--mode',
                           'target', '--op', 'show'], capture_output=True, text=True).stdout


def _wait_status(cloud, kind, name, wanted, timeout=120):
    import time
    deadline = time.monotonic() + timeout
    while True:
        args = ['volume'] + ([kind] if kind else []) + ['show', name, '-f', 'value',
                                                         '-c', 'status']
        status = osc(cloud, 'demo', *args).stdout.strip()
        if status in wanted:
            return status
        assert time.monotonic() < deadline, '%s %s stuck in %s' % (kind or 'volume', name,
                                                                   status)
        time.sleep(1)


def test_volume_walkthrough(cloud):
    """A volume, its snapshot, a volume from the snapshot, a backup and its restore, with
    the real client; delete leaves no tgt target and no file."""
    osc(cloud, 'demo', 'volume', 'create', '--size', '1', 'v1')
    assert _wait_status(cloud, None, 'v1', ('available', 'error')) == 'available'
    shown = json.loads(osc(cloud, 'demo', 'volume', 'show', 'v1', '-f', 'json').stdout)
    assert shown['size'] == 1 and shown['type'] == '__DEFAULT__'
    names = osc(cloud, 'demo', 'volume', 'list', '-f', 'value', '-c', 'Name').stdout.split()
    assert names == ['v1']
    osc(cloud, 'demo', 'volume', 'snapshot', 'create', '--volume', 'v1', 's1')
    assert _wait_status(cloud, 'snapshot', 's1', ('available', 'error')) == 'available'
    osc(cloud, 'demo', 'volume', 'create', '--snapshot', 's1', 'v2')
    assert _wait_status(cloud, None, 'v2', ('available', 'error')) == 'available'
    osc(cloud, 'demo', 'volume', 'backup', 'create', '--name', 'b1', 'v1')
    assert _wait_status(cloud, 'backup', 'b1', ('available', 'error')) == 'available'
    # restoring over an existing volume needs --force in this client
    osc(cloud, 'demo', 'volume', 'backup', 'restore', '--force', 'b1', 'v2')
    assert _wait_status(cloud, None, 'v2', ('available', 'error_restoring')) == 'available'
    v1 = shown['id']
    volumes_dir = os.path.join(cloud['state'], 'data', 'blockstore', 'volumes')
    assert os.path.exists(os.path.join(volumes_dir, 'volume-%s' % v1))
    osc(cloud, 'demo', 'volume', 'backup', 'delete', 'b1')
    osc(cloud, 'demo', 'volume', 'snapshot', 'delete', 's1')
    _wait_gone(cloud, ['volume', 'snapshot', 'show', 's1'])
    osc(cloud, 'demo', 'volume', 'delete', 'v1', 'v2')
    _wait_gone(cloud, ['volume', 'show', 'v1'])
    _wait_gone(cloud, ['volume', 'show', 'v2'])
    assert os.listdir(volumes_dir) == []
    assert 'volume-' not in _targets()


def _wait_gone(cloud, args, timeout=60):
    import time
    deadline = time.monotonic() + timeout
    while osc(cloud, 'demo', *args, check=False).returncode == 0:
        assert time.monotonic() < deadline, '%s still there' % args
        time.sleep(1)


def _status_rows(cloud):
    out = run(['./devstack.sh', 'status'], cloud['env']).stdout
    return {line.split()[0]: line.split() for line in out.splitlines()[1:] if line.strip()}


@pytest.mark.parametrize('daemon', ['identity-api', 'objectstore-proxy', 'image-api',
                                    'network-api'])
def test_daemon_killed_with_9_is_back_within_5_s(cloud, daemon):
    """Every daemon runs under the supervisor: kill -9 one of each service and status
    shows it running again (a new pid) within 5 s, with the restart and its reason; its
    API answers again soon after."""
    import signal
    import time
    import urllib.error
    import urllib.request
    before = _status_rows(cloud)[daemon]
    assert before[2] == 'running', before
    restarts = int(before[3])
    os.kill(int(before[1]), signal.SIGKILL)
    killed = time.monotonic()
    while True:
        row = _status_rows(cloud)[daemon]
        if row[2] == 'running' and row[1] != before[1]:
            break
        assert time.monotonic() - killed < 5, 'not back within 5 s: %s' % row
        time.sleep(0.2)
    assert int(row[3]) == restarts + 1 and 'SIGKILL' in ' '.join(row[4:]), row
    url = open(os.path.join(cloud['state'], 'run', daemon + '.health')).read().strip()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while True:
        try:
            opener.open(url, timeout=2)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            assert time.monotonic() - killed < 10, '%s does not answer' % url
            time.sleep(0.2)


@pytest.mark.parametrize('daemon', ['compute-conductor', 'compute-scheduler'])
def test_compute_daemon_killed_in_the_middle_of_boots_leaves_none_in_build(cloud, daemon):
    """kill -9 of compute-conductor or compute-scheduler while five servers are being
    built: once the supervisor has it back, every server ends ACTIVE, or ERROR with a
    fault, never stuck in BUILD (the broker redelivers what the daemon was handling and
    the conductor's recovery resends builds left behind)."""
    import signal
    import time
    name = 'ds-kill-%s' % daemon.split('-')[1]
    before = _status_rows(cloud)[daemon]
    osc(cloud, 'demo', 'server', 'create', '--image', 'guest', '--flavor', 'm1.nano',
        '--network', 'private', '--min', '5', '--max', '5', name)
    os.kill(int(before[1]), signal.SIGKILL)
    killed = time.monotonic()
    try:
        while True:
            row = _status_rows(cloud)[daemon]
            if row[2] == 'running' and row[1] != before[1]:
                break
            assert time.monotonic() - killed < 10, 'not back: %s' % row
            time.sleep(0.2)
        deadline = time.monotonic() + 240
        while True:
            servers = json.loads(osc(cloud, 'demo', 'server', 'list', '--name', name,
                                     '-f', 'json').stdout)
            statuses = sorted(s['Status'] for s in servers)
            if len(servers) == 5 and all(st in ('ACTIVE', 'ERROR') for st in statuses):
                break
            assert time.monotonic() < deadline, 'still building: %s\n%s' % (
                statuses, log_tracebacks(cloud['state']))
            time.sleep(3)
        for server in servers:
            if server['Status'] == 'ERROR':
                shown = json.loads(osc(cloud, 'demo', 'server', 'show', server['ID'], '-f',
                                       'json').stdout)
                assert shown.get('fault'), shown
        print('\n[kill -9 %s during 5 boots] %s after %.0f s' % (
            daemon, statuses, time.monotonic() - killed))
    finally:
        ids = [s['ID'] for s in json.loads(osc(cloud, 'demo', 'server', 'list', '--name',
                                                 name, '-f', 'json').stdout)]
        if ids:
            osc(cloud, 'demo', 'server', 'delete', '--wait', *ids, check=False)


def test_stop_stops_every_daemon_and_start_again_keeps_data(cloud):
    """Runs last in this module: ./devstack.sh stop leaves no daemon, a second ./devstack.sh
    brings everything back with what the first one held."""
    osc(cloud, 'demo', 'network', 'create', 'ds-kept')
    pids = [row[1] for row in _status_rows(cloud).values()]
    run(['./devstack.sh', 'stop'], cloud['env'])
    assert _status_rows(cloud) == {}
    for pid in pids:
        assert not os.path.exists('/proc/%s' % pid), pid
    run(['./devstack.sh'], cloud['env'], timeout=600)
    rows = _status_rows(cloud)
    assert rows and all(row[2] == 'running' for row in rows.values()), rows
    assert osc(cloud, 'demo', 'network', 'show', 'ds-kept', '-f', 'value', '-c',
               'name').stdout.strip() == 'ds-kept'
