"""Generic volume groups: group types (admin), groups of volumes on one pool, group
snapshots and groups made from them, with Cinder's microversions and refusals."""
import os
import time

V = '3.20'


def _wait(cloud, kind, ident, statuses, token=None, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        code, body = cloud.call('GET', '/%ss/%s' % (kind, ident), token=token, version=V)
        if code == 404 and 'deleted' in statuses:
            return None
        item = (body or {}).get(kind)
        if item and item['status'] in statuses:
            return item
        assert time.monotonic() < deadline, (kind, ident, code, body)
        time.sleep(0.05)


def _group_type(cloud, name='gt'):
    return cloud.ok('POST', '/group_types', {'group_type': {
        'name': name, 'group_specs': {'consistent_group_snapshot_enabled': '<is> True'}}},
        token=cloud.admin(), version=V, status=202)['group_type']


def _group(cloud, gtype, token=None, **extra):
    body = cloud.ok('POST', '/groups', {'group': dict({
        'group_type': gtype['id'], 'volume_types': ['__DEFAULT__'], 'name': 'g'}, **extra)},
        token=token, version=V)
    return _wait(cloud, 'group', body['group']['id'], ('available', 'error'), token)


def _volume_in(cloud, group, size=1):
    body = cloud.ok('POST', '/volumes', {'volume': {'size': size, 'group_id': group['id']}},
                    version=V)
    return cloud.wait('volume', body['volume']['id'], ('available', 'error'))


def test_group_types_admin_only_and_versioned(cloud):
    admin = cloud.admin()
    assert cloud.call('GET', '/group_types', version='3.10')[0] == 404
    code, _ = cloud.call('POST', '/group_types', {'group_type': {'name': 'x'}}, version=V)
    assert code == 403
    gtype = _group_type(cloud)
    assert gtype['group_specs'] == {'consistent_group_snapshot_enabled': '<is> True'}
    assert cloud.call('POST', '/group_types', {'group_type': {'name': 'gt'}}, token=admin,
                      version=V)[0] == 409
    assert [t['name'] for t in cloud.ok('GET', '/group_types', version=V)['group_types']] \
        == ['gt']
    path = '/group_types/%s/group_specs' % gtype['id']
    cloud.ok('POST', path, {'group_specs': {'k': 'v'}}, token=admin, version=V, status=202)
    assert cloud.ok('GET', path + '/k', version=V) == {'k': 'v'}
    cloud.ok('DELETE', path + '/k', token=admin, version=V)
    assert cloud.call('GET', path + '/k', version=V)[0] == 404
    renamed = cloud.ok('PUT', '/group_types/%s' % gtype['id'], {'group_type': {
        'name': 'gt2', 'is_public': False}}, token=admin, version=V)['group_type']
    assert renamed['name'] == 'gt2' and renamed['is_public'] is False
    # a private type is the operators'
    assert cloud.call('GET', '/group_types/%s' % gtype['id'], version=V)[0] == 404
    assert cloud.call('GET', '/group_types/default', version=V)[0] == 404
    cloud.ok('DELETE', '/group_types/%s' % gtype['id'], token=admin, version=V)


def test_group_walkthrough_snapshot_and_from_source(cloud):
    gtype = _group_type(cloud)
    assert cloud.call('GET', '/groups', version='3.12')[0] == 404
    group = _group(cloud, gtype)
    assert group['status'] == 'available' and group['group_type'] == gtype['id']
    assert set(group) >= {'group_snapshot_id', 'source_group_id', 'volume_types'}
    one, two = _volume_in(cloud, group), _volume_in(cloud, group, 2)
    assert one['status'] == two['status'] == 'available'
    shown = cloud.ok('GET', '/volumes/%s' % one['id'], version=V)['volume']
    assert shown['group_id'] == group['id']
    listed = cloud.ok('GET', '/groups/%s?list_volume=True' % group['id'],
                      version='3.25')['group']
    assert sorted(listed['volumes']) == sorted([one['id'], two['id']])
    # a volume of a group is not deleted alone
    code, fault = cloud.call('DELETE', '/volumes/%s' % one['id'])
    assert code == 400 and 'group' in fault['badRequest']['message']
    # data written before the snapshot is what the new group's volume holds
    with open(cloud.driver.local_path(one['id']), 'r+b') as f:
        f.write(b'group data')
    gsnap = cloud.ok('POST', '/group_snapshots', {'group_snapshot': {
        'group_id': group['id'], 'name': 'gs'}}, version=V)['group_snapshot']
    gsnap = _wait(cloud, 'group_snapshot', gsnap['id'], ('available', 'error'))
    assert gsnap['status'] == 'available' and gsnap['group_id'] == group['id']
    snaps = [s for s in cloud.ok('GET', '/snapshots/detail', version=V)['snapshots']
             if s['group_snapshot_id'] == gsnap['id']]
    assert sorted(s['volume_id'] for s in snaps) == sorted([one['id'], two['id']])
    assert all(s['status'] == 'available' for s in snaps)
    code, fault = cloud.call('DELETE', '/snapshots/%s' % snaps[0]['id'])
    assert code == 400 and 'group snapshot' in fault['badRequest']['message']
    # a group with group snapshots is not deleted
    code, fault = cloud.call('POST', '/groups/%s/action' % group['id'],
                             {'delete': {'delete-volumes': True}}, version=V)
    assert code == 400 and 'group snapshots' in fault['badRequest']['message']
    # a new group from the group snapshot, and one from the group itself
    made = cloud.ok('POST', '/groups/action', {'create-from-src': {
        'group_snapshot_id': gsnap['id'], 'name': 'copy'}}, version=V)['group']
    made = _wait(cloud, 'group', made['id'], ('available', 'error'))
    assert made['status'] == 'available' and made['group_snapshot_id'] == gsnap['id']
    copies = cloud.ok('GET', '/groups/%s?list_volume=1' % made['id'],
                      version='3.25')['group']['volumes']
    assert len(copies) == 2
    sizes = []
    for vid in copies:
        vol = cloud.ok('GET', '/volumes/%s' % vid, version=V)['volume']
        assert vol['status'] == 'available' and vol['group_id'] == made['id']
        sizes.append(vol['size'])
        if vol['snapshot_id'] == [s for s in snaps if s['volume_id'] == one['id']][0]['id']:
            with open(cloud.driver.local_path(vid), 'rb') as f:
                assert f.read(10) == b'group data'
    assert sorted(sizes) == [1, 2]
    clone = cloud.ok('POST', '/groups/action', {'create-from-src': {
        'source_group_id': group['id']}}, version=V)['group']
    assert _wait(cloud, 'group', clone['id'], ('available', 'error'))['status'] == \
        'available'
    # the snapshot goes, then the groups with their volumes, and the files with them
    cloud.ok('DELETE', '/group_snapshots/%s' % gsnap['id'], version=V)
    _wait(cloud, 'group_snapshot', gsnap['id'], ('deleted',))
    assert cloud.ok('GET', '/snapshots', version=V)['snapshots'] == []
    code, fault = cloud.call('POST', '/groups/%s/action' % group['id'], {'delete': {}},
                             version=V)
    assert code == 400 and 'delete-volumes' in fault['badRequest']['message']
    for gid in (group['id'], made['id'], clone['id']):
        cloud.ok('POST', '/groups/%s/action' % gid, {'delete': {'delete-volumes': True}},
                 version=V)
        _wait(cloud, 'group', gid, ('deleted',))
    assert cloud.ok('GET', '/volumes', version=V)['volumes'] == []
    assert not os.path.exists(cloud.driver.local_path(one['id']))


def test_group_update_add_remove_and_validation(cloud):
    gtype = _group_type(cloud)
    group = _group(cloud, gtype)
    loose = cloud.volume(1)
    path = '/groups/%s' % group['id']
    cloud.ok('PUT', path, {'group': {'add_volumes': loose['id'], 'name': 'renamed'}},
             version=V, status=202)
    shown = cloud.ok('GET', path, version=V)['group']
    assert shown['name'] == 'renamed'
    assert cloud.ok('GET', '/volumes/%s' % loose['id'], version=V)['volume']['group_id'] \
        == group['id']
    cloud.ok('PUT', path, {'group': {'remove_volumes': loose['id']}}, version=V, status=202)
    assert cloud.ok('GET', '/volumes/%s' % loose['id'], version=V)['volume']['group_id'] \
        is None
    # refusals: empty update, a volume not in the group, bad ids, another project's volume
    assert cloud.call('PUT', path, {'group': {}}, version=V)[0] == 400
    code, fault = cloud.call('PUT', path, {'group': {'remove_volumes': loose['id']}},
                             version=V)
    assert code == 400 and 'not in the group' in fault['badRequest']['message']
    assert cloud.call('PUT', path, {'group': {'add_volumes': '../etc'}}, version=V)[0] == 400
    other = cloud.token('other')
    theirs = cloud.volume(1, token=other)
    assert cloud.call('PUT', path, {'group': {'add_volumes': theirs['id']}},
                      version=V)[0] == 400
    # another project neither sees the group nor creates volumes in it
    assert cloud.call('GET', path, token=other, version=V)[0] == 404
    assert cloud.call('POST', '/volumes', {'volume': {'size': 1, 'group_id': group['id']}},
                      token=other, version=V)[0] == 404
    # a volume type not in the group, an unknown group type, group_id before 3.13
    admin = cloud.admin()
    cloud.ok('POST', '/types', {'volume_type': {'name': 'other'}}, token=admin, status=200)
    code, fault = cloud.call('POST', '/volumes', {'volume': {
        'size': 1, 'group_id': group['id'], 'volume_type': 'other'}}, version=V)
    assert code == 400 and 'volume types of group' in fault['badRequest']['message']
    assert cloud.call('POST', '/groups', {'group': {'group_type': 'nope',
                                                    'volume_types': ['__DEFAULT__']}},
                      version=V)[0] == 404
    assert cloud.call('POST', '/groups', {'group': {'group_type': gtype['id']}},
                      version=V)[0] == 400
    assert cloud.call('POST', '/volumes', {'volume': {'size': 1, 'group_id': group['id']}},
                      version='3.12')[0] == 404
    # reset status is the admins' (3.20)
    action = '/groups/%s/action' % group['id']
    assert cloud.call('POST', action, {'reset_status': {'status': 'error'}},
                      version=V)[0] == 403
    assert cloud.call('POST', action, {'reset_status': {'status': 'error'}}, token=admin,
                      version='3.19')[0] == 404
    cloud.ok('POST', action,
             {'reset_status': {'status': 'error'}}, token=admin, version=V)
    assert cloud.ok('GET', path, version=V)['group']['status'] == 'error'
    # the groups quota
    cloud.ok('PUT', '/os-quota-sets/demo', {'quota_set': {'groups': 1}}, token=admin)
    code, _ = cloud.call('POST', '/groups', {'group': {
        'group_type': gtype['id'], 'volume_types': ['__DEFAULT__']}}, version=V)
    assert code == 413
    assert cloud.ok('GET', '/os-quota-sets/demo?usage=True')['quota_set']['groups'][
        'in_use'] == 1
