"""Address scopes and subnet pools (subnet_allocation, default-subnetpools): prefixes
handed out by length or by CIDR, never twice, within quota, and from the default pool."""
import concurrent.futures

import pytest

pytestmark = pytest.mark.timeout(120)


def _pool(api, token=None, status=201, **attrs):
    code, body = api.call('POST', '/v2.0/subnetpools', {'subnetpool': attrs}, token=token)
    assert code == status, body
    return body.get('subnetpool') if status == 201 else body


def _subnet(api, net_id, token=None, status=201, **attrs):
    code, body = api.call('POST', '/v2.0/subnets', {'subnet': dict(
        network_id=net_id, **attrs)}, token=token)
    assert code == status, body
    return body.get('subnet') if status == 201 else body


def _net(api, token=None):
    return api.ok('POST', '/v2.0/networks', {'network': {'name': 'n'}}, token=token)['network']


def test_pool_hands_out_free_prefixes_by_length(api):
    pool = _pool(api, name='p', prefixes=['10.40.0.0/16', '10.41.0.0/16'],
                 default_prefixlen=24, max_prefixlen=28)
    assert pool['prefixes'] == ['10.40.0.0/15']        # merged: the two halves touch
    assert (pool['ip_version'], pool['min_prefixlen'], pool['default_prefixlen'],
            pool['max_prefixlen']) == (4, 15, 24, 28)
    net = _net(api)
    first = _subnet(api, net['id'], subnetpool_id=pool['id'])
    assert first['cidr'] == '10.40.0.0/24' and first['subnetpool_id'] == pool['id']
    assert first['gateway_ip'] == '10.40.0.1'
    second = _subnet(api, net['id'], subnetpool_id=pool['id'], prefixlen='26')  # as OSC
    assert second['cidr'] == '10.40.1.0/26'
    asked = _subnet(api, net['id'], subnetpool_id=pool['id'], cidr='10.41.7.0/24')
    assert asked['cidr'] == '10.41.7.0/24'
    # taken, outside, too long, too short
    err = _subnet(api, _net(api)['id'], subnetpool_id=pool['id'], cidr='10.41.7.0/25',
                  status=409)
    assert err['NeutronError']['type'] == 'SubnetAllocationError'
    _subnet(api, net['id'], subnetpool_id=pool['id'], cidr='10.50.0.0/24', status=400)
    _subnet(api, net['id'], subnetpool_id=pool['id'], prefixlen=30, status=400)
    _subnet(api, net['id'], subnetpool_id=pool['id'], prefixlen=8, status=400)
    _subnet(api, net['id'], subnetpool_id=pool['id'], ip_version=6, status=400)
    # a freed prefix is handed out again; a pool with subnets stays
    api.ok('DELETE', '/v2.0/subnets/%s' % first['id'])
    again = _subnet(api, net['id'], subnetpool_id=pool['id'])
    assert again['cidr'] == '10.40.0.0/24'
    code, err = api.call('DELETE', '/v2.0/subnetpools/%s' % pool['id'])
    assert code == 409 and err['NeutronError']['type'] == 'SubnetPoolInUse'
    listed = api.ok('GET', '/v2.0/subnets?subnetpool_id=%s' % pool['id'])['subnets']
    assert len(listed) == 3


def test_pool_runs_out_and_grows(api):
    pool = _pool(api, prefixes=['10.60.0.0/23'], default_prefixlen=24)
    net = _net(api)
    _subnet(api, net['id'], subnetpool_id=pool['id'])
    _subnet(api, net['id'], subnetpool_id=pool['id'])
    err = _subnet(api, net['id'], subnetpool_id=pool['id'], status=409)
    assert 'Insufficient prefix space' in err['NeutronError']['message']
    path = '/v2.0/subnetpools/%s' % pool['id']
    assert api.call('PUT', path, {'subnetpool': {'prefixes': ['10.61.0.0/24']}})[0] == 400
    grown = api.ok('PUT', path, {'subnetpool': {
        'prefixes': ['10.60.0.0/23', '10.61.0.0/24']}})['subnetpool']
    assert grown['prefixes'] == ['10.60.0.0/23', '10.61.0.0/24']
    assert _subnet(api, net['id'], subnetpool_id=pool['id'])['cidr'] == '10.61.0.0/24'


def test_concurrent_allocations_get_distinct_prefixes(api):
    pool = _pool(api, prefixes=['10.70.0.0/20'], default_prefixlen=24)
    nets = [_net(api) for _ in range(8)]

    def create(net):
        return api.call('POST', '/v2.0/subnets', {'subnet': {
            'network_id': net['id'], 'subnetpool_id': pool['id']}})
    with concurrent.futures.ThreadPoolExecutor(4) as pool_exec:
        results = list(pool_exec.map(create, nets))
    assert all(code == 201 for code, _ in results), results
    cidrs = [body['subnet']['cidr'] for _, body in results]
    assert len(set(cidrs)) == 8


def test_quota_of_address_space_per_project(api):
    admin, bob = api.tokens.admin(), api.tokens.token('bob')
    pool = _pool(api, token=admin, prefixes=['10.80.0.0/16'], default_prefixlen=26,
                 shared=True, default_quota=128)
    net = _net(api)
    _subnet(api, net['id'], subnetpool_id=pool['id'])            # 64 addresses
    _subnet(api, net['id'], subnetpool_id=pool['id'])            # 128
    err = _subnet(api, net['id'], subnetpool_id=pool['id'], status=409)
    assert err['NeutronError']['type'] == 'SubnetPoolQuotaExceeded'
    # the quota is per project: bob has his own
    _subnet(api, _net(api, bob)['id'], token=bob, subnetpool_id=pool['id'], prefixlen=25)


def test_default_pool_and_visibility(api):
    admin, bob = api.tokens.admin(), api.tokens.token('bob')
    _pool(api, is_default=True, prefixes=['10.90.0.0/16'], status=403)
    pool = _pool(api, token=admin, name='default4', prefixes=['10.90.0.0/16'],
                 default_prefixlen=24, is_default=True, shared=True)
    assert pool['is_default'] is True
    _pool(api, token=admin, prefixes=['10.91.0.0/16'], is_default=True, status=400)
    v6 = _pool(api, token=admin, prefixes=['fd00:1::/48'], is_default=True, shared=True)
    assert (v6['ip_version'], v6['default_prefixlen']) == (6, 64)
    net = _net(api, bob)
    sub = _subnet(api, net['id'], token=bob, use_default_subnetpool=True, ip_version=4)
    assert sub['cidr'] == '10.90.0.0/24' and sub['subnetpool_id'] == pool['id']
    sub6 = _subnet(api, net['id'], token=bob, use_default_subnetpool=True, ip_version=6)
    assert sub6['cidr'] == 'fd00:1::/64'
    # private pools are their owner's
    mine = _pool(api, prefixes=['10.95.0.0/16'])
    assert api.call('GET', '/v2.0/subnetpools/%s' % mine['id'], token=bob)[0] == 404
    _subnet(api, net['id'], token=bob, subnetpool_id=mine['id'], status=404)
    names = [p['name'] for p in api.ok('GET', '/v2.0/subnetpools', token=bob)['subnetpools']]
    assert 'default4' in names
    _subnet(api, net['id'], token=bob, status=400)             # no cidr, no pool
    for bad in ({'prefixes': []}, {'prefixes': ['10.0.0.0/8', 'fd00::/8']},
                {'prefixes': ['10.0.0.1/8']}, {'prefixes': ['10.0.0.0/8'],
                                                'min_prefixlen': 20, 'max_prefixlen': 16}):
        _pool(api, status=400, **bad)


def test_address_scopes(api):
    scope = api.ok('POST', '/v2.0/address-scopes', {'address_scope': {
        'name': 's', 'ip_version': 4}})['address_scope']
    assert scope['shared'] is False and scope['ip_version'] == 4
    pool = _pool(api, prefixes=['10.100.0.0/16'], default_prefixlen=24,
                 address_scope_id=scope['id'])
    assert pool['address_scope_id'] == scope['id']
    # pools of one scope never overlap; a v6 pool cannot join a v4 scope
    err = _pool(api, prefixes=['10.100.128.0/17'], address_scope_id=scope['id'], status=409)
    assert err['NeutronError']['type'] == 'AddressScopePrefixConflict'
    _pool(api, prefixes=['fd00:2::/48'], address_scope_id=scope['id'], status=400)
    net = _net(api)
    _subnet(api, net['id'], subnetpool_id=pool['id'])
    shown = api.ok('GET', '/v2.0/networks/%s' % net['id'])['network']
    assert shown['ipv4_address_scope'] == scope['id'] and shown['ipv6_address_scope'] is None
    code, err = api.call('DELETE', '/v2.0/address-scopes/%s' % scope['id'])
    assert code == 409 and err['NeutronError']['type'] == 'AddressScopeInUse'
    assert api.call('GET', '/v2.0/address-scopes/%s' % scope['id'],
                    token=api.tokens.token('bob'))[0] == 404
    assert api.call('POST', '/v2.0/address-scopes', {'address_scope': {
        'ip_version': 4, 'shared': True}})[0] == 403
    renamed = api.ok('PUT', '/v2.0/address-scopes/%s' % scope['id'],
                     {'address_scope': {'name': 't'}})['address_scope']
    assert renamed['name'] == 't'


def test_subnetpool_tags_and_extensions(api):
    pool = _pool(api, prefixes=['10.110.0.0/16'])
    assert api.call('PUT', '/v2.0/subnetpools/%s/tags/red' % pool['id'])[0] == 201
    tagged = api.ok('GET', '/v2.0/subnetpools?tags=red')['subnetpools']
    assert [p['id'] for p in tagged] == [pool['id']]
    aliases = {e['alias'] for e in api.ok('GET', '/v2.0/extensions')['extensions']}
    assert {'address-scope', 'subnet_allocation', 'default-subnetpools'} <= aliases
