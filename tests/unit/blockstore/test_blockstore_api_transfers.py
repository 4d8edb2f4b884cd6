"""Volume transfers: the offering project gets the auth key once; another project that
accepts with it owns the volume (and its snapshots), within its quotas."""
SUMMARY = {'id', 'name', 'volume_id', 'links'}
DETAIL_30 = SUMMARY | {'created_at'}
DETAIL_357 = DETAIL_30 | {'no_snapshots', 'source_project_id', 'destination_project_id',
                          'accepted'}


def _offer(cloud, vol, path='/os-volume-transfer', version=None, **extra):
    return cloud.ok('POST', path, {'transfer': dict({'volume_id': vol['id'], 'name': 't'},
                                                    **extra)}, version=version)['transfer']


def test_transfer_and_accept_moves_volume_and_snapshots(cloud):
    vol = cloud.volume(1, name='gift')
    snap = cloud.ok('POST', '/snapshots', {'snapshot': {'volume_id': vol['id']}})['snapshot']
    cloud.wait('snapshot', snap['id'], ('available',))
    offer = _offer(cloud, vol)
    assert set(offer) == DETAIL_30 | {'auth_key'} and len(offer['auth_key']) == 16
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['status'] == \
        'awaiting-transfer'
    # the key is shown once: never again in show or lists
    shown = cloud.ok('GET', '/os-volume-transfer/%s' % offer['id'])['transfer']
    assert set(shown) == DETAIL_30
    assert [set(t) for t in cloud.ok('GET', '/os-volume-transfer')['transfers']] == [SUMMARY]
    assert [set(t) for t in cloud.ok('GET', '/os-volume-transfer/detail')['transfers']] == \
        [DETAIL_30]
    # while offered, the volume cannot be deleted
    assert cloud.call('DELETE', '/volumes/%s' % vol['id'])[0] == 400
    # another project does not see the offer, but accepts it with id and key
    other = cloud.token('other')
    assert cloud.ok('GET', '/os-volume-transfer', token=other)['transfers'] == []
    assert cloud.call('GET', '/os-volume-transfer/%s' % offer['id'], token=other)[0] == 404
    path = '/os-volume-transfer/%s/accept' % offer['id']
    code, fault = cloud.call('POST', path, {'accept': {'auth_key': 'wrong'}}, token=other)
    assert code == 400 and 'auth key' in fault['badRequest']['message']
    accepted = cloud.ok('POST', path, {'accept': {'auth_key': offer['auth_key']}},
                        token=other)['transfer']
    assert set(accepted) == SUMMARY and accepted['volume_id'] == vol['id']
    moved = cloud.ok('GET', '/volumes/%s' % vol['id'], token=other)['volume']
    assert moved['status'] == 'available' and moved['os-vol-tenant-attr:tenant_id'] == 'other'
    assert cloud.call('GET', '/volumes/%s' % vol['id'])[0] == 404
    assert cloud.ok('GET', '/snapshots/%s' % snap['id'], token=other)['snapshot']['id'] == \
        snap['id']
    assert cloud.call('GET', '/snapshots/%s' % snap['id'])[0] == 404
    # the offer is gone once accepted
    assert cloud.call('POST', path, {'accept': {'auth_key': offer['auth_key']}},
                      token=other)[0] == 404


def test_volume_transfers_at_355_and_withdrawal(cloud):
    vol = cloud.volume(1)
    snap = cloud.ok('POST', '/snapshots', {'snapshot': {'volume_id': vol['id']}})['snapshot']
    cloud.wait('snapshot', snap['id'], ('available',))
    # the new path exists from 3.55 on; no_snapshots too
    assert cloud.call('GET', '/volume-transfers', version='3.54')[0] == 404
    code, fault = cloud.call('POST', '/os-volume-transfer', {'transfer': {
        'volume_id': vol['id'], 'no_snapshots': True}})
    assert code == 400 and 'no_snapshots' in fault['badRequest']['message']
    offer = _offer(cloud, vol, '/volume-transfers', '3.57', no_snapshots=True)
    assert set(offer) == DETAIL_357 | {'auth_key'}
    assert offer['no_snapshots'] is True and offer['source_project_id'] == 'demo'
    assert offer['links'][0]['href'].endswith('/volume-transfers/%s' % offer['id'])
    shown = cloud.ok('GET', '/volume-transfers/%s' % offer['id'], version='3.57')
    assert set(shown['transfer']) == DETAIL_357
    # withdrawn: the volume is available to its owner again
    cloud.ok('DELETE', '/volume-transfers/%s' % offer['id'], version='3.55')
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['status'] == 'available'
    assert cloud.call('GET', '/volume-transfers/%s' % offer['id'], version='3.55')[0] == 404
    # without its snapshots: they stay with the giver
    offer = _offer(cloud, vol, '/volume-transfers', '3.55', no_snapshots=True)
    other = cloud.token('other')
    cloud.ok('POST', '/volume-transfers/%s/accept' % offer['id'],
             {'accept': {'auth_key': offer['auth_key']}}, token=other, version='3.55')
    assert cloud.ok('GET', '/snapshots/%s' % snap['id'])['snapshot']['volume_id'] == vol['id']


def test_transfer_refusals_and_quota_at_accept(cloud):
    vol = cloud.volume(2)
    for body, code, word in (({'transfer': {}}, 400, 'volume_id'),
                             ({'transfer': {'volume_id': 'x'}}, 400, 'volume_id'),
                             ({'transfer': {'volume_id': vol['id'], 'bogus': 1}}, 400,
                              'bogus'),
                             ({'transfer': {'volume_id': '00000000-0000-4000-8000-'
                                            '000000000000'}}, 404, 'Volume')):
        got, fault = cloud.call('POST', '/os-volume-transfer', body)
        assert got == code, (body, got, fault)
        assert word in next(iter(fault.values()))['message'], (body, fault)
    other = cloud.token('other')
    # another project's volume cannot be offered
    assert cloud.call('POST', '/os-volume-transfer', {'transfer': {'volume_id': vol['id']}},
                      token=other)[0] == 404
    offer = _offer(cloud, vol)
    # offered already: not available any more
    code, fault = cloud.call('POST', '/os-volume-transfer', {'transfer': {
        'volume_id': vol['id']}})
    assert code == 400 and 'awaiting-transfer' in fault['badRequest']['message']
    path = '/os-volume-transfer/%s/accept' % offer['id']
    assert cloud.call('POST', path, {'accept': {}}, token=other)[0] == 400
    # the giver cannot accept its own offer
    code, fault = cloud.call('POST', path, {'accept': {'auth_key': offer['auth_key']}})
    assert code == 400
    # the receiver's quota is checked at accept
    cloud.ok('PUT', '/v3/admin/os-quota-sets/other', {'quota_set': {'gigabytes': 1}},
             token=cloud.admin(), status=200)
    code, fault = cloud.call('POST', path, {'accept': {'auth_key': offer['auth_key']}},
                             token=other)
    assert code == 413 and 'gigabytes' in fault['overLimit']['message']
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['status'] == \
        'awaiting-transfer'
    # a reader may look but not offer
    reader = cloud.token('demo', roles=('reader',))
    assert cloud.call('GET', '/os-volume-transfer', token=reader)[0] == 200
    assert cloud.call('DELETE', '/os-volume-transfer/%s' % offer['id'], token=reader)[0] \
        == 403


def test_force_deleting_an_offered_volume_withdraws_the_offer(cloud):
    vol = cloud.volume(1)
    offer = _offer(cloud, vol)
    cloud.ok('POST', '/v3/admin/volumes/%s/action' % vol['id'], {'os-force_delete': {}},
             token=cloud.admin())
    cloud.wait('volume', vol['id'], ('deleted',))
    assert cloud.ok('GET', '/os-volume-transfer')['transfers'] == []
    assert cloud.call('GET', '/os-volume-transfer/%s' % offer['id'])[0] == 404
