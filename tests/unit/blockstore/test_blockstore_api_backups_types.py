"""Backups to the (TEST FAKE) object store, volume types with extra specs and access,
the scheduler's choices, services, zones and pools."""
import os
import time

import eventlet

import pytest


def fill(cloud, vol, offset, data):
    with open(cloud.driver.local_path(vol['id']), 'r+b') as f:
        f.seek(offset)
        f.write(data)


def read(cloud, vol_id, offset, length):
    with open(cloud.driver.local_path(vol_id), 'rb') as f:
        f.seek(offset)
        return f.read(length)


def test_backup_incremental_restore_delete(cloud):
    vol = cloud.volume(1)
    fill(cloud, vol, 0, b'first')
    bak = cloud.ok('POST', '/backups', {'backup': {'volume_id': vol['id'],
                                                   'name': 'b1'}})['backup']
    bak = cloud.wait('backup', bak['id'], ('available', 'error'))
    assert bak['status'] == 'available' and not bak['is_incremental']
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['status'] == 'available'
    fill(cloud, vol, 5 * 1024 * 1024, b'second')
    puts = cloud.store.puts
    inc = cloud.ok('POST', '/backups', {'backup': {'volume_id': vol['id'],
                                                   'incremental': True}})['backup']
    inc = cloud.wait('backup', inc['id'], ('available', 'error'))
    # only the changed chunk (a full backup would upload chunk 0 again) + metadata twice
    assert inc['is_incremental'] and cloud.store.puts - puts == 3
    assert cloud.ok('GET', '/backups/%s' % bak['id'])['backup']['has_dependent_backups']
    # The parent cannot go while its child exists.
    assert cloud.call('DELETE', '/backups/%s' % bak['id'])[0] == 400
    restored = cloud.ok('POST', '/backups/%s/restore' % inc['id'],
                        {'restore': {'name': 'r'}})['restore']
    new = cloud.wait('volume', restored['volume_id'], ('available', 'error_restoring'))
    assert new['status'] == 'available'
    assert read(cloud, new['id'], 0, 5) == b'first'
    assert read(cloud, new['id'], 5 * 1024 * 1024, 6) == b'second'
    # restore into an existing volume
    fill(cloud, vol, 0, b'XXXXX')
    cloud.ok('POST', '/backups/%s/restore' % bak['id'], {'restore': {'volume_id': vol['id']}})
    cloud.wait('volume', vol['id'], ('available',))
    assert read(cloud, vol['id'], 0, 5) == b'first'
    cloud.ok('DELETE', '/backups/%s' % inc['id'])
    cloud.wait('backup', inc['id'], ('deleted',))
    cloud.ok('DELETE', '/backups/%s' % bak['id'])
    cloud.wait('backup', bak['id'], ('deleted',))
    assert not [k for k in cloud.store.objects if 'backup_' in k[1]]


def test_backup_of_missing_or_busy_volume_is_refused(cloud):
    code, fault = cloud.call('POST', '/backups', {'backup': {'volume_id': 'x'}})
    assert code == 400 and 'volume_id' in fault['badRequest']['message']
    vol = cloud.volume(1)
    code, fault = cloud.call('POST', '/backups', {'backup': {'volume_id': vol['id'],
                                                             'incremental': True}})
    assert code == 400 and 'incremental' in fault['badRequest']['message']


def test_volume_types_specs_access_and_scheduling(cloud):
    admin = cloud.admin()
    assert cloud.call('POST', '/types', {'volume_type': {'name': 't'}})[0] == 403
    t = cloud.ok('POST', '/v3/admin/types', {'volume_type': {
        'name': 'gold', 'extra_specs': {'volume_backend_name': 'file1'}}}, token=admin,
        status=200)['volume_type']
    vol = cloud.volume(1, volume_type='gold')
    assert vol['status'] == 'available' and vol['volume_type'] == 'gold'
    cloud.ok('POST', '/v3/admin/types/%s/extra_specs' % t['id'],
             {'extra_specs': {'volume_backend_name': 'elsewhere'}}, token=admin, status=200)
    vol = cloud.volume(1, volume_type='gold')
    assert vol['status'] == 'error'
    assert 'volume_backend_name elsewhere' in vol['fault']
    assert cloud.call('DELETE', '/v3/admin/types/%s' % t['id'], token=admin)[0] == 400
    # private types: only projects given access see them
    p = cloud.ok('POST', '/v3/admin/types', {'volume_type': {
        'name': 'private', 'os-volume-type-access:is_public': False}}, token=admin,
        status=200)['volume_type']
    assert cloud.call('GET', '/types/%s' % p['id'])[0] == 404
    cloud.ok('POST', '/v3/admin/types/%s/action' % p['id'],
             {'addProjectAccess': {'project': 'demo'}}, token=admin)
    assert cloud.call('GET', '/types/%s' % p['id'])[0] == 200
    names = [x['name'] for x in cloud.ok('GET', '/types')['volume_types']]
    assert 'private' in names and '__DEFAULT__' in names
    access = cloud.ok('GET', '/v3/admin/types/%s/os-volume-type-access' % p['id'],
                      token=admin)['volume_type_access']
    assert access == [{'volume_type_id': p['id'], 'project_id': 'demo'}]


def test_capacity_claims_are_bounded(cloud):
    """The pool is thin with the driver's over-subscription; a volume over it errors."""
    pools = cloud.ok('GET', '/v3/admin/scheduler-stats/get_pools?detail=true',
                     token=cloud.admin())['pools']
    assert pools[0]['name'] == 'node1@file1#file1'
    caps = pools[0]['capabilities']
    assert caps['total_capacity_gb'] > 0 and caps['storage_protocol'] == 'iSCSI'
    too_big = int(caps['total_capacity_gb'] * caps['max_over_subscription_ratio']) + 10
    admin = cloud.admin()
    cloud.ok('PUT', '/v3/admin/os-quota-sets/demo', {'quota_set': {'gigabytes': -1}},
             token=admin, status=200)
    vol = cloud.volume(too_big)
    assert vol['status'] == 'error' and 'No valid backend' in vol['fault']
    assert not os.path.exists(cloud.driver.local_path(vol['id']))


def test_services_and_zones(cloud):
    admin = cloud.admin()
    want = {('cinder-scheduler', 'up'), ('cinder-volume', 'up')}   # Cinder's names
    deadline = time.monotonic() + 10
    while True:  # each daemon's first heartbeat runs in its own thread
        services = cloud.ok('GET', '/v3/admin/os-services', token=admin)['services']
        found = {(s['binary'], s['state']) for s in services}
        if found == want or time.monotonic() > deadline:
            break
        # the heartbeats are green threads: let the hub run them (tests are not patched)
        eventlet.sleep(0.1)
    assert found == want
    assert cloud.call('GET', '/os-services')[0] == 403
    for name in ('cinder-volume', 'blockstore-volume'):
        only = cloud.ok('GET', '/v3/admin/os-services?binary=' + name, token=admin)
        assert [s['binary'] for s in only['services']] == ['cinder-volume']
    old = cloud.ok('GET', '/v3/admin/os-services', token=admin)['services'][0]
    assert 'cluster' not in old and 'backend_state' not in old
    new = cloud.ok('GET', '/v3/admin/os-services', token=admin, version='3.49')['services']
    assert new[0]['cluster'] is None and new[0]['backend_state'] == 'up'

    hosts = cloud.ok('GET', '/v3/admin/os-hosts', token=admin)['hosts']
    assert {h['service'] for h in hosts} == {'cinder-scheduler', 'cinder-volume'}
    assert {h['service-status'] for h in hosts} == {'available'}
    assert cloud.call('GET', '/os-hosts')[0] == 403
    volume_host, = [h['host_name'] for h in hosts if h['service'] == 'cinder-volume']
    vol = cloud.volume(2)
    snap = cloud.ok('POST', '/snapshots', {'snapshot': {'volume_id': vol['id']}})
    cloud.wait('snapshot', snap['snapshot']['id'], ('available',))
    shown = cloud.ok('GET', '/v3/admin/os-hosts/' + volume_host, token=admin)['host']
    assert shown[0]['resource'] == {
        'project': '(total)', 'host': volume_host, 'volume_count': '1',
        'total_volume_gb': '2', 'snapshot_count': '1', 'total_snapshot_gb': '2'}
    assert [r['resource']['project'] for r in shown] == ['(total)', 'demo']
    scheduler_host, = [h['host_name'] for h in hosts if h['service'] == 'cinder-scheduler']
    if scheduler_host != volume_host:
        assert cloud.call('GET', '/v3/admin/os-hosts/' + scheduler_host, token=admin)[0] == 404
    assert cloud.call('GET', '/v3/admin/os-hosts/nowhere%25', token=admin)[0] == 404
    names = {e['name'] for e in cloud.ok('GET', '/extensions')['extensions']}
    assert {'Hosts', 'Services', 'Quotas', 'Backups'} <= names
    zones = cloud.ok('GET', '/os-availability-zone')['availabilityZoneInfo']
    assert zones == [{'zoneName': 'nova', 'zoneState': {'available': True}}]


@pytest.mark.parametrize('body', [{'quota_set': {'volumes': -2}},
                                  {'quota_set': {'nonsense': 1}}])
def test_quota_update_bad_bodies(cloud, body):
    code, fault = cloud.call('PUT', '/v3/admin/os-quota-sets/demo', body, token=cloud.admin())
    assert code == 400, fault


def test_per_volume_gigabytes_is_a_quota_of_one_volume(cloud):
    """Cinder's per_volume_gigabytes: shown with the other quotas (tempest requires it),
    set per project, and checked against the one volume made or extended (413)."""
    admin = cloud.admin()
    shown = cloud.ok('GET', '/v3/admin/os-quota-sets/demo', token=admin)['quota_set']
    assert shown['per_volume_gigabytes'] == -1 and shown['groups'] == 10
    usage = cloud.ok('GET', '/v3/admin/os-quota-sets/demo?usage=True',
                     token=admin)['quota_set']
    assert usage['per_volume_gigabytes'] == {'limit': -1, 'in_use': 0, 'reserved': 0,
                                             'allocated': 0}
    defaults = cloud.ok('GET', '/v3/admin/os-quota-sets/demo/defaults',
                        token=admin)['quota_set']
    assert defaults['per_volume_gigabytes'] == -1
    cloud.ok('PUT', '/v3/admin/os-quota-sets/demo',
             {'quota_set': {'per_volume_gigabytes': 2}}, token=admin, status=200)
    code, fault = cloud.call('POST', '/volumes', {'volume': {'size': 3}})
    assert code == 413 and 'VolumeSizeExceedsLimit' in str(fault)
    vol = cloud.volume(2)
    assert vol['status'] == 'available'
    code, _ = cloud.call('POST', '/volumes/%s/action' % vol['id'],
                         {'os-extend': {'new_size': 3}})
    assert code == 413
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['size'] == 2
