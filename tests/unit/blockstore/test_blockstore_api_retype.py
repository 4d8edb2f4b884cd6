"""os-retype: a volume changes type where it lies; one that would need a migration to
another backend, or a bad request, is refused with a 400 naming what is wrong."""


def _type(cloud, name, **specs):
    return cloud.ok('POST', '/v3/admin/types', {'volume_type': {
        'name': name, 'extra_specs': specs}}, token=cloud.admin(), status=200)['volume_type']


def _retype(cloud, vol, body):
    return cloud.call('POST', '/volumes/%s/action' % vol['id'], {'os-retype': body})


def test_retype_on_the_same_backend_changes_the_type(cloud):
    gold = _type(cloud, 'gold', volume_backend_name='file1')
    _type(cloud, 'plain')
    vol = cloud.volume(1)
    assert vol['volume_type'] == '__DEFAULT__'
    code, _ = _retype(cloud, vol, {'new_type': 'gold'})
    assert code == 202
    shown = cloud.ok('GET', '/volumes/%s' % vol['id'], version='3.63')['volume']
    assert shown['volume_type'] == 'gold' and shown['volume_type_id'] == gold['id']
    assert shown['status'] == 'available'
    # by id, with a migration policy: no migration is needed, so it is done in place
    plain_id = [t['id'] for t in cloud.ok('GET', '/types')['volume_types']
                if t['name'] == 'plain'][0]
    code, _ = _retype(cloud, vol, {'new_type': plain_id, 'migration_policy': 'on-demand'})
    assert code == 202
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['volume_type'] == 'plain'
    # the data stays where it was
    assert cloud.driver.local_path(vol['id'])


def test_retype_refusals(cloud):
    _type(cloud, 'far', volume_backend_name='elsewhere')
    _type(cloud, 'shared', multiattach='<is> True')
    vol = cloud.volume(1)
    for body, code, word in (
            ({'new_type': '__DEFAULT__'}, 400, 'already'),
            ({'new_type': 'nope'}, 404, 'nope'),
            ({'new_type': ''}, 400, 'new_type'),
            ({}, 400, 'new_type'),
            ({'new_type': 'far', 'migration_policy': 'sometimes'}, 400, 'migration_policy'),
            ({'new_type': 'far', 'bogus': 1}, 400, 'bogus'),
            ({'new_type': 'far'}, 400, 'migration'),
            ({'new_type': 'far', 'migration_policy': 'on-demand'}, 400, 'elsewhere')):
        got, fault = _retype(cloud, vol, body)
        assert got == code, (body, got, fault)
        assert word in next(iter(fault.values()))['message'], (body, fault)
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['volume_type'] == \
        '__DEFAULT__'
    # an in-use volume cannot gain or lose multiattach
    act = '/volumes/%s/action' % vol['id']
    cloud.ok('POST', act, {'os-reserve': {}})
    cloud.ok('POST', act, {'os-attach': {'mountpoint': '/dev/vdb'}})
    got, fault = _retype(cloud, vol, {'new_type': 'shared'})
    assert got == 400 and 'multiattach' in fault['badRequest']['message']
    # nor can a volume that is not available or in use
    cloud.ok('POST', '/v3/admin/volumes/%s/action' % vol['id'],
             {'os-reset_status': {'status': 'error'}}, token=cloud.admin())
    got, fault = _retype(cloud, vol, {'new_type': 'shared'})
    assert got == 400 and 'error' in fault['badRequest']['message']


def test_retype_is_for_the_volume_owner(cloud):
    _type(cloud, 'gold')
    vol = cloud.volume(1)
    other = cloud.token('other')
    code, _ = cloud.call('POST', '/volumes/%s/action' % vol['id'],
                         {'os-retype': {'new_type': 'gold'}}, token=other)
    assert code == 404
    reader = cloud.token('demo', roles=('reader',))
    code, _ = cloud.call('POST', '/volumes/%s/action' % vol['id'],
                         {'os-retype': {'new_type': 'gold'}}, token=reader)
    assert code == 403
