"""Generic volume groups and volume migration with a real blockstore-volume daemon serving
two file backends (``enabled_backends = backend,backend2``) next to the fixture's: the
openstack client drives groups and group snapshots, the volume files are checked on disk.

The daemon talks to a tgtd of the test's own (its own control port and portal) under a
target prefix of its own, so it never touches a tgtd of the machine."""
import configparser
import json
import os
import random
import subprocess
import time
import uuid

import pytest

from common.testing import daemons

BIN = os.path.join(daemons.REPO, '.venv', 'bin')
GROUP_V = ['--os-volume-api-version', '3.20']


def _unused_tgt_port():
    """A tgtd control port no tgtd listens on (tgtadm accepts < 32768)."""
    while True:
        port = random.randint(29000, 29999)
        if not os.path.exists('/var/run/tgtd/socket.%d' % port):
            return port


@pytest.fixture(scope='module')
def two_backends(blockstore_cloud):
    cloud = blockstore_cloud
    ini = configparser.RawConfigParser()
    ini.optionxform = str
    ini.read(str(cloud.workdir / 'blockstore.conf'))
    host = 'fnode2-%s' % uuid.uuid4().hex[:6]
    ini.set('DEFAULT', 'host', host)
    ini.set('blockstore', 'enabled_backends', 'backend,backend2')
    # A real daemon also builds its backup service: the service user is the fixture's.
    if not ini.has_section('service_user'):
        ini.add_section('service_user')
    for key in ('auth_url', 'username', 'password', 'project_name', 'user_domain_name',
                'project_domain_name'):
        ini.set('service_user', key, ini.get('keystone_authtoken', key))
    dirs = {}
    # A tgtd of the test's own, on its own control port and portal: the daemon checks
    # its backends answer, and the machine's tgtd is never touched.
    control = _unused_tgt_port()
    tgt_env = dict(os.environ, TGT_CONTROL_PORT=str(control),
                   TGT_PORTAL='127.0.0.1:%d' % (control - 25000))
    subprocess.run([os.path.join(daemons.REPO, 'tools', 'tgt.sh'), 'start'], env=tgt_env,
                   check=True, capture_output=True, timeout=60)
    for section, name in (('backend', 'filea'), ('backend2', 'fileb')):
        if not ini.has_section(section):
            ini.add_section(section)
        dirs[name] = str(cloud.workdir / ('volumes-' + name))
        ini.set(section, 'volumes_dir', dirs[name])
        ini.set(section, 'volume_backend_name', name)
        ini.set(section, 'target_prefix', 'iqn.2010-10.org.cirrostack.test-%s:' % host)
        ini.set(section, 'tgt_control_port', str(control))
    path = str(cloud.workdir / 'blockstore-volume2.conf')
    with open(path, 'w') as f:
        ini.write(f)
    log = open(str(cloud.workdir / 'blockstore-volume2.log'), 'ab')
    proc = subprocess.Popen([os.path.join(BIN, 'blockstore-volume'), '--config-file', path],
                            stdout=log, stderr=subprocess.STDOUT, cwd=daemons.REPO)
    try:
        deadline = time.monotonic() + 60
        while True:
            pools = json.loads(cloud.osc('volume', 'backend', 'pool', 'list', '-f', 'json',
                                         user='admin').stdout)
            names = {p['Name'] for p in pools}
            if {'%s@filea#filea' % host, '%s@fileb#fileb' % host} <= names:
                break
            assert proc.poll() is None and time.monotonic() < deadline, \
                open(str(cloud.workdir / 'blockstore-volume2.log')).read()[-3000:]
            time.sleep(0.5)
        yield host, dirs
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        subprocess.run([os.path.join(daemons.REPO, 'tools', 'tgt.sh'), 'stop'], env=tgt_env,
                       capture_output=True, timeout=60)


def _json(cloud, *args, user='demo'):
    return json.loads(cloud.osc(*(list(args) + ['-f', 'json']), user=user).stdout)


def _status(cloud, args, wanted, user='demo', timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        status = cloud.osc(*(list(args) + ['-f', 'value', '-c', 'status']),
                           user=user).stdout.strip()
        if status in wanted:
            return status
        assert time.monotonic() < deadline, '%s stuck in %s' % (args, status)
        time.sleep(0.5)


def _gone(cloud, args, timeout=60):
    deadline = time.monotonic() + timeout
    while cloud.osc(*args, check=False).returncode == 0:
        assert time.monotonic() < deadline, '%s still there' % (args,)
        time.sleep(0.5)


def _id(shown):
    """The id of a client answer (group commands label their columns 'ID')."""
    return shown.get('id') or shown['ID']


def _rest(cloud, method, path, body=None, user='demo', version='3.20'):
    conn = cloud.sdk(user)
    resp = conn.block_storage.request(path, method, json=body, microversion=version,
                                      raise_exc=False)
    return resp.status_code, (resp.json() if resp.content else None)


def test_group_snapshot_and_group_from_it(blockstore_cloud, two_backends):
    cloud = blockstore_cloud
    host, dirs = two_backends
    cloud.osc('volume', 'type', 'create', '--property', 'volume_backend_name=filea', 'ga',
              user='admin')
    cloud.osc(*GROUP_V, 'volume', 'group', 'type', 'create', 'fgt', user='admin')
    group = _json(cloud, *GROUP_V, 'volume', 'group', 'create', '--volume-group-type', 'fgt',
                  '--volume-type', 'ga', '--name', 'fg')
    assert _status(cloud, GROUP_V + ['volume', 'group', 'show', _id(group)],
                   ('available', 'error')) == 'available'
    vols = []
    for size in (1, 2):
        code, body = _rest(cloud, 'POST', '/volumes', {'volume': {
            'size': size, 'volume_type': 'ga', 'group_id': _id(group)}})
        assert code == 202, body
        vols.append(body['volume']['id'])
    for vid in vols:
        assert _status(cloud, ['volume', 'show', vid], ('available', 'error')) == 'available'
    first = os.path.join(dirs['filea'], 'volume-%s' % vols[0])
    with open(first, 'r+b') as f:
        f.write(b'grouped')
    # a member of a group is not deleted alone
    assert cloud.osc('volume', 'delete', vols[0], check=False).returncode != 0
    gsnap = _json(cloud, *GROUP_V, 'volume', 'group', 'snapshot', 'create', '--name', 'fgs',
                  _id(group))
    assert _status(cloud, GROUP_V + ['volume', 'group', 'snapshot', 'show', _id(gsnap)],
                   ('available', 'error')) == 'available'
    snaps = [s for s in _json(cloud, 'volume', 'snapshot', 'list', '--long')
             if s['Name'] == 'group-snapshot-%s' % _id(gsnap)]
    assert len(snaps) == 2
    # the group with a group snapshot stays
    assert cloud.osc(*GROUP_V, 'volume', 'group', 'delete', '--force', _id(group),
                     check=False).returncode != 0
    copy = _json(cloud, *GROUP_V, 'volume', 'group', 'create', '--group-snapshot',
                 _id(gsnap), '--name', 'fg-copy')
    assert _status(cloud, GROUP_V + ['volume', 'group', 'show', _id(copy)],
                   ('available', 'error')) == 'available'
    code, body = _rest(cloud, 'GET', '/groups/%s?list_volume=True' % _id(copy),
                       version='3.25')
    copies = body['group']['volumes']
    assert len(copies) == 2
    contents = set()
    for vid in copies:
        with open(os.path.join(dirs['filea'], 'volume-%s' % vid), 'rb') as f:
            contents.add(f.read(7))
    assert b'grouped' in contents
    cloud.osc(*GROUP_V, 'volume', 'group', 'snapshot', 'delete', _id(gsnap))
    _gone(cloud, GROUP_V + ['volume', 'group', 'snapshot', 'show', _id(gsnap)])
    for gid in (_id(group), _id(copy)):
        cloud.osc(*GROUP_V, 'volume', 'group', 'delete', '--force', gid)
        _gone(cloud, GROUP_V + ['volume', 'group', 'show', gid])
    for vid in vols + copies:
        assert not os.path.exists(os.path.join(dirs['filea'], 'volume-%s' % vid))
    cloud.osc(*GROUP_V, 'volume', 'group', 'type', 'delete', 'fgt', user='admin')
    cloud.osc('volume', 'type', 'delete', 'ga', user='admin')


def test_migrate_between_backends(blockstore_cloud, two_backends):
    cloud = blockstore_cloud
    host, dirs = two_backends
    cloud.osc('volume', 'type', 'create', '--property', 'volume_backend_name=filea', 'ma',
              user='admin')
    vol = _json(cloud, 'volume', 'create', '--size', '1', '--type', 'ma', 'fmig')
    assert _status(cloud, ['volume', 'show', vol['id']], ('available', 'error')) == \
        'available'
    with open(os.path.join(dirs['filea'], 'volume-%s' % vol['id']), 'r+b') as f:
        f.seek(3 * 1024 * 1024)
        f.write(b'migrating')
    # the type pins it to filea: fileb is refused, then the type is relaxed
    dest = '%s@fileb#fileb' % host
    code, body = _rest(cloud, 'POST', '/volumes/%s/action' % vol['id'],
                       {'os-migrate_volume': {'host': dest}}, user='admin')
    assert code == 400 and 'volume_backend_name' in body['badRequest']['message']
    cloud.osc('volume', 'type', 'unset', '--property', 'volume_backend_name', 'ma',
              user='admin')
    cloud.osc('volume', 'migrate', '--host', dest, vol['id'], user='admin')
    deadline = time.monotonic() + 60
    while True:
        shown = _rest(cloud, 'GET', '/volumes/%s' % vol['id'], user='admin')[1]['volume']
        if shown.get('migration_status') in ('success', 'error'):
            break
        assert time.monotonic() < deadline, shown
        time.sleep(0.5)
    assert shown['migration_status'] == 'success' and shown['status'] == 'available'
    assert shown['os-vol-host-attr:host'] == dest
    assert not os.path.exists(os.path.join(dirs['filea'], 'volume-%s' % vol['id']))
    with open(os.path.join(dirs['fileb'], 'volume-%s' % vol['id']), 'rb') as f:
        f.seek(3 * 1024 * 1024)
        assert f.read(9) == b'migrating'
    cloud.osc('volume', 'delete', vol['id'])
    _gone(cloud, ['volume', 'show', vol['id']])
    assert not os.path.exists(os.path.join(dirs['fileb'], 'volume-%s' % vol['id']))
    cloud.osc('volume', 'type', 'delete', 'ma', user='admin')
