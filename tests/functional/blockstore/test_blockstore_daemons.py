"""The block storage daemons with the real openstack client and openstacksdk: volumes,
snapshots, clones, backups and the attachment handshake compute performs."""
import json
import os
import subprocess
import sys
import time

from common.testing import daemons

CONNECTOR = {'initiator': 'iqn.2024-01.org.cirrostack:fnode', 'ip': '127.0.0.1',
             'host': 'fnode', 'platform': 'x86_64', 'os_type': 'linux', 'multipath': False}


def wait(cloud, args, wanted, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        status = cloud.osc(*(list(args) + ['-f', 'value', '-c', 'status'])).stdout.strip()
        if status in wanted:
            return status
        assert time.monotonic() < deadline, '%s stuck in %s' % (args, status)
        time.sleep(0.5)


def gone(cloud, args, timeout=60):
    deadline = time.monotonic() + timeout
    while cloud.osc(*args, check=False).returncode == 0:
        assert time.monotonic() < deadline, '%s still there' % (args,)
        time.sleep(0.5)


def test_openstack_client_volume_walkthrough(blockstore_cloud):
    cloud = blockstore_cloud
    cloud.osc('volume', 'create', '--size', '1', 'fv1')
    assert wait(cloud, ['volume', 'show', 'fv1'], ('available', 'error')) == 'available'
    shown = json.loads(cloud.osc('volume', 'show', 'fv1', '-f', 'json').stdout)
    assert shown['size'] == 1 and shown['type'] == '__DEFAULT__'
    path = cloud.driver.local_path(shown['id'])
    with open(path, 'r+b') as f:
        f.write(b'functional')
    cloud.osc('volume', 'snapshot', 'create', '--volume', 'fv1', 'fs1')
    assert wait(cloud, ['volume', 'snapshot', 'show', 'fs1'], ('available', 'error')) == \
        'available'
    cloud.osc('volume', 'create', '--snapshot', 'fs1', 'fv2')
    assert wait(cloud, ['volume', 'show', 'fv2'], ('available', 'error')) == 'available'
    fv2 = json.loads(cloud.osc('volume', 'show', 'fv2', '-f', 'json').stdout)
    with open(cloud.driver.local_path(fv2['id']), 'rb') as f:
        assert f.read(10) == b'functional'
    cloud.osc('volume', 'backup', 'create', '--name', 'fb1', 'fv1')
    assert wait(cloud, ['volume', 'backup', 'show', 'fb1'], ('available', 'error')) == \
        'available'
    cloud.osc('volume', 'backup', 'restore', 'fb1', 'fv3')
    assert wait(cloud, ['volume', 'show', 'fv3'], ('available', 'error_restoring')) == \
        'available'
    fv3 = json.loads(cloud.osc('volume', 'show', 'fv3', '-f', 'json').stdout)
    with open(cloud.driver.local_path(fv3['id']), 'rb') as f:
        assert f.read(10) == b'functional'
    listed = cloud.osc('volume', 'list', '-f', 'value', '-c', 'Name').stdout.split()
    assert sorted(listed) == ['fv1', 'fv2', 'fv3']
    # errors the client shows as the server said them
    bad = cloud.osc('volume', 'create', '--size', '1', '--type', 'nope', 'x', check=False)
    assert bad.returncode != 0 and 'nope' in bad.stderr
    cloud.osc('volume', 'backup', 'delete', 'fb1')
    cloud.osc('volume', 'snapshot', 'delete', 'fs1')
    gone(cloud, ['volume', 'snapshot', 'show', 'fs1'])
    cloud.osc('volume', 'delete', 'fv1', 'fv2', 'fv3')
    for name in ('fv1', 'fv2', 'fv3'):
        gone(cloud, ['volume', 'show', name])
    assert os.listdir(os.path.dirname(path)) == []


def test_sdk_attachment_handshake(blockstore_cloud):
    """What compute does: attachment create with the connector, complete, delete."""
    cloud = blockstore_cloud
    conn = cloud.sdk()
    vol = conn.block_storage.create_volume(size=1, name='fatt')
    vol = conn.block_storage.wait_for_status(vol, 'available', failures=['error'],
                                             interval=0.5, wait=60)
    endpoint = conn.endpoint_for('block-storage')
    headers = {'OpenStack-API-Version': 'volume 3.44'}
    resp = conn.session.post(endpoint + '/attachments', headers=headers, json={
        'attachment': {'volume_uuid': vol.id, 'connector': CONNECTOR,
                       'instance_uuid': 'c0ffee00-0000-4000-8000-00000000000f'}})
    assert resp.status_code == 200, resp.text
    att = resp.json()['attachment']
    data = att['connection_info']['data']
    assert att['connection_info']['driver_volume_type'] == 'iscsi'
    assert data['target_iqn'].endswith(vol.id) and data['auth_method'] == 'CHAP'
    resp = conn.session.post(endpoint + '/attachments/%s/action' % att['id'],
                             headers=headers, json={'os-complete': None})
    assert resp.status_code == 204
    assert conn.block_storage.get_volume(vol.id).status == 'in-use'
    assert [e['volume_id'] for e in cloud.driver.list_exports()] == [vol.id]
    resp = conn.session.delete(endpoint + '/attachments/%s' % att['id'], headers=headers)
    assert resp.status_code == 200
    assert conn.block_storage.get_volume(vol.id).status == 'available'
    assert cloud.driver.list_exports() == []
    conn.block_storage.delete_volume(vol.id)
    conn.block_storage.wait_for_delete(vol, interval=0.5, wait=60)


def test_blockstore_cli(blockstore_cloud):
    """The service's own CLI: create and wait, snapshot, list as json, delete."""
    cloud = blockstore_cloud

    def run(*args):
        env = dict(os.environ, **cloud.identity.os_env('demo'))
        proc = subprocess.run([sys.executable, '-m', 'blockstore.cli'] + list(args),
                              cwd=daemons.REPO, env=env, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout
    vol = json.loads(run('-f', 'json', 'volume', 'create', 'cli1', '--size', '1', '--wait'))
    assert vol['status'] == 'available'
    snap = json.loads(run('-f', 'json', 'snapshot', 'create', 'clis', '--volume', 'cli1',
                          '--wait'))
    assert snap['status'] == 'available'
    listed = json.loads(run('-f', 'json', 'volume', 'list'))
    assert [v['Name'] for v in listed] == ['cli1']
    run('snapshot', 'delete', 'clis')
    gone(cloud, ['volume', 'snapshot', 'show', 'clis'])
    run('volume', 'delete', 'cli1')
    gone(cloud, ['volume', 'show', 'cli1'])


def test_openstack_client_retype_qos_and_transfer(blockstore_cloud):
    """Retype in place, QoS specs on a type, and a volume given to another project, all
    with the unchanged openstack client."""
    cloud = blockstore_cloud

    def admin(*args, **kw):
        return cloud.osc(*args, user='admin', **kw)
    admin('volume', 'qos', 'create', '--consumer', 'front-end', '--property',
          'total_iops_sec=100', 'fq')
    admin('volume', 'type', 'create', 'fgold')
    admin('volume', 'qos', 'associate', 'fq', 'fgold')
    qos = json.loads(admin('volume', 'qos', 'show', 'fq', '-f', 'json').stdout)
    assert qos['consumer'] == 'front-end' and 'fgold' in str(qos['associations'])
    assert 'total_iops_sec' in str(qos['properties'])
    # a member may not manage QoS
    assert cloud.osc('volume', 'qos', 'list', check=False).returncode != 0

    cloud.osc('volume', 'create', '--size', '1', 'fr1')
    assert wait(cloud, ['volume', 'show', 'fr1'], ('available', 'error')) == 'available'
    cloud.osc('volume', 'set', '--type', 'fgold', '--retype-policy', 'never', 'fr1')
    vol = json.loads(cloud.osc('volume', 'show', 'fr1', '-f', 'json').stdout)
    assert vol['type'] == 'fgold'

    offer = json.loads(cloud.osc('volume', 'transfer', 'request', 'create', '--name', 'ft',
                                 'fr1', '-f', 'json').stdout)
    assert offer['auth_key'] and offer['volume_id'] == vol['id']
    assert wait(cloud, ['volume', 'show', 'fr1'], ('awaiting-transfer',)) == \
        'awaiting-transfer'
    bad = admin('volume', 'transfer', 'request', 'accept', '--auth-key', 'wrong',
                offer['id'], check=False)
    assert bad.returncode != 0 and 'auth key' in bad.stderr
    admin('volume', 'transfer', 'request', 'accept', '--auth-key', offer['auth_key'],
          offer['id'])
    assert cloud.osc('volume', 'show', vol['id'], check=False).returncode != 0
    moved = json.loads(admin('volume', 'show', vol['id'], '-f', 'json').stdout)
    assert moved['status'] == 'available'
    admin('volume', 'delete', vol['id'])
    gone(cloud, ['volume', 'show', vol['id']], timeout=60)
    admin('volume', 'qos', 'disassociate', '--all', 'fq')
    admin('volume', 'qos', 'delete', 'fq')
    admin('volume', 'type', 'delete', 'fgold')
