"""/qos-specs: CRUD, keys, associations with volume types, admin only, 4xx naming faults."""
UUID0 = '00000000-0000-4000-8000-000000000000'
QOS_FIELDS = {'id', 'name', 'consumer', 'specs'}


def test_qos_specs_crud_and_keys(cloud):
    admin = cloud.admin()
    base = '/v3/admin/qos-specs'
    created = cloud.ok('POST', base, {'qos_specs': {
        'name': 'fast', 'consumer': 'front-end', 'total_iops_sec': '500'}},
        token=admin, status=200)
    spec = created['qos_specs']
    assert set(spec) == QOS_FIELDS
    assert spec['specs'] == {'total_iops_sec': '500'} and spec['consumer'] == 'front-end'
    assert {link['rel'] for link in created['links']} == {'self', 'bookmark'}
    # consumer defaults to back-end
    slow = cloud.ok('POST', base, {'qos_specs': {'name': 'slow'}}, token=admin,
                    status=200)['qos_specs']
    assert slow['consumer'] == 'back-end' and slow['specs'] == {}
    listed = cloud.ok('GET', base, token=admin)['qos_specs']
    assert sorted(s['name'] for s in listed) == ['fast', 'slow']
    assert all(set(s) == QOS_FIELDS for s in listed)
    path = '%s/%s' % (base, spec['id'])
    assert cloud.ok('PUT', path, {'qos_specs': {'read_bytes_sec': '1000'}}, token=admin) == \
        {'qos_specs': {'read_bytes_sec': '1000'}}
    cloud.ok('PUT', path, {'qos_specs': {'consumer': 'both'}}, token=admin)
    shown = cloud.ok('GET', path, token=admin)
    assert shown['qos_specs']['specs'] == {'total_iops_sec': '500', 'read_bytes_sec': '1000'}
    assert shown['qos_specs']['consumer'] == 'both'
    cloud.ok('PUT', path + '/delete_keys', {'keys': ['total_iops_sec']}, token=admin,
             status=202)
    assert cloud.ok('GET', path, token=admin)['qos_specs']['specs'] == \
        {'read_bytes_sec': '1000'}
    code, fault = cloud.call('PUT', path + '/delete_keys', {'keys': ['nope']}, token=admin)
    assert code == 404 and 'nope' in fault['itemNotFound']['message']
    cloud.ok('DELETE', path, token=admin)
    assert cloud.call('GET', path, token=admin)[0] == 404


def test_qos_specs_bad_inputs(cloud):
    admin = cloud.admin()
    base = '/v3/admin/qos-specs'
    cloud.ok('POST', base, {'qos_specs': {'name': 'taken'}}, token=admin, status=200)
    for body, code, word in (
            ({'qos_specs': {}}, 400, 'name'),
            ({'qos_specs': {'name': '  '}}, 400, 'name'),
            ({'qos_specs': {'name': 'x', 'consumer': 'middle'}}, 400, 'consumer'),
            ({'qos_specs': {'name': 'x', 'iops': 5}}, 400, 'iops'),
            ({'qos_specs': {'name': 'x', 'iops': 'a\nb'}}, 400, 'iops'),
            ({'specs': {'name': 'x'}}, 400, 'qos_specs'),
            ({'qos_specs': {'name': 'taken'}}, 409, 'taken')):
        got, fault = cloud.call('POST', base, body, token=admin)
        assert got == code, (body, got, fault)
        assert word in next(iter(fault.values()))['message'], (body, fault)
    spec = cloud.ok('GET', base, token=admin)['qos_specs'][0]
    path = '%s/%s' % (base, spec['id'])
    for body, word in (({'qos_specs': {}}, 'qos_specs'), ({'keys': []}, 'keys'),
                       ({'qos_specs': {'k': None}}, 'k')):
        target = path + '/delete_keys' if 'keys' in body else path
        got, fault = cloud.call('PUT', target, body, token=admin)
        assert got == 400 and word in fault['badRequest']['message'], (body, fault)
    assert cloud.call('GET', '%s/%s' % (base, UUID0), token=admin)[0] == 404
    got, fault = cloud.call('GET', path + '/associate', token=admin)
    assert got == 400 and 'vol_type_id' in fault['badRequest']['message']
    got, fault = cloud.call('GET', path + '/associate?vol_type_id=' + UUID0, token=admin)
    assert got == 404
    got, fault = cloud.call('DELETE', path + '?force=maybe', token=admin)
    assert got == 400 and 'force' in fault['badRequest']['message']


def test_qos_specs_are_for_admins_only(cloud):
    admin = cloud.admin()
    spec = cloud.ok('POST', '/v3/admin/qos-specs', {'qos_specs': {'name': 'q'}},
                    token=admin, status=200)['qos_specs']
    for method, path, body in (('GET', '/qos-specs', None),
                               ('POST', '/qos-specs', {'qos_specs': {'name': 'm'}}),
                               ('GET', '/qos-specs/%s' % spec['id'], None),
                               ('PUT', '/qos-specs/%s' % spec['id'],
                                {'qos_specs': {'a': 'b'}}),
                               ('DELETE', '/qos-specs/%s' % spec['id'], None),
                               ('GET', '/qos-specs/%s/associations' % spec['id'], None)):
        assert cloud.call(method, path, body)[0] == 403, (method, path)


def test_qos_associations_with_volume_types(cloud):
    admin = cloud.admin()
    base = '/v3/admin/qos-specs'
    spec = cloud.ok('POST', base, {'qos_specs': {'name': 'q1', 'iops': '10'}}, token=admin,
                    status=200)['qos_specs']
    other = cloud.ok('POST', base, {'qos_specs': {'name': 'q2'}}, token=admin,
                     status=200)['qos_specs']
    vtype = cloud.ok('POST', '/v3/admin/types', {'volume_type': {'name': 'gold'}},
                     token=admin, status=200)['volume_type']
    assert cloud.ok('GET', '/types/%s' % vtype['id'])['volume_type']['qos_specs_id'] is None
    path = '%s/%s' % (base, spec['id'])
    cloud.ok('GET', path + '/associate?vol_type_id=' + vtype['id'], token=admin, status=202)
    assert cloud.ok('GET', path + '/associations', token=admin) == {'qos_associations': [
        {'association_type': 'volume_type', 'name': 'gold', 'id': vtype['id']}]}
    assert cloud.ok('GET', '/types/%s' % vtype['id'])['volume_type']['qos_specs_id'] == \
        spec['id']
    # a type has one set of specs at most
    got, fault = cloud.call('GET', '%s/%s/associate?vol_type_id=%s'
                            % (base, other['id'], vtype['id']), token=admin)
    assert got == 400 and spec['id'] in fault['badRequest']['message']
    # in use: deleting needs force, which disassociates
    got, fault = cloud.call('DELETE', path, token=admin)
    assert got == 400 and 'gold' in fault['badRequest']['message']
    cloud.ok('GET', path + '/disassociate?vol_type_id=' + vtype['id'], token=admin,
             status=202)
    assert cloud.ok('GET', path + '/associations', token=admin)['qos_associations'] == []
    cloud.ok('GET', path + '/associate?vol_type_id=' + vtype['id'], token=admin, status=202)
    cloud.ok('GET', path + '/disassociate_all', token=admin, status=202)
    assert cloud.ok('GET', '/types/%s' % vtype['id'])['volume_type']['qos_specs_id'] is None
    cloud.ok('GET', path + '/associate?vol_type_id=' + vtype['id'], token=admin, status=202)
    cloud.ok('DELETE', path + '?force=true', token=admin)
    assert cloud.ok('GET', '/types/%s' % vtype['id'])['volume_type']['qos_specs_id'] is None


def test_front_end_specs_travel_with_the_connection(cloud):
    admin = cloud.admin()
    connector = {'initiator': 'iqn.2024-01.org.cirrostack:node1', 'ip': '192.0.2.10',
                 'host': 'node1'}
    specs = {}
    for name, consumer in (('front', 'front-end'), ('back', 'back-end')):
        specs[name] = cloud.ok('POST', '/v3/admin/qos-specs', {'qos_specs': {
            'name': name, 'consumer': consumer, 'total_iops_sec': '100'}}, token=admin,
            status=200)['qos_specs']
        vtype = cloud.ok('POST', '/v3/admin/types', {'volume_type': {'name': 't-' + name}},
                         token=admin, status=200)['volume_type']
        cloud.ok('GET', '/v3/admin/qos-specs/%s/associate?vol_type_id=%s'
                 % (specs[name]['id'], vtype['id']), token=admin, status=202)
    for name, wanted in (('front', {'total_iops_sec': '100'}), ('back', None)):
        vol = cloud.volume(1, volume_type='t-' + name)
        info = cloud.ok('POST', '/volumes/%s/action' % vol['id'], {
            'os-initialize_connection': {'connector': connector}},
            status=200)['connection_info']
        assert info['data']['qos_specs'] == wanted, name
