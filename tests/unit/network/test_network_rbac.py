"""RBAC policies on networks: who sees a network, who may put ports on it or use it as
external, and grants that cannot be taken back while others depend on them."""
import pytest

pytestmark = pytest.mark.timeout(60)

RBAC = '/v2.0/rbac-policies'


def _grant(api, net_id, target, action='access_as_shared', token=None, status=201):
    code, body = api.call('POST', RBAC, {'rbac_policy': {
        'object_type': 'network', 'object_id': net_id, 'action': action,
        'target_tenant': target}}, token=token)
    assert code == status, body
    return body


def _net_with_subnet(api, token=None, cidr='10.30.0.0/24', **extra):
    net = api.ok('POST', '/v2.0/networks', {'network': dict(name='n', **extra)},
                 token=token)['network']
    sub = api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                      'cidr': cidr}}, token=token)['subnet']
    return net, sub


def _ids(api, path, token):
    return {i['id'] for i in list(api.ok('GET', path, token=token).values())[0]}


def test_share_with_one_project(api):
    bob, carol = api.tokens.token('bob'), api.tokens.token('carol')
    net, sub = _net_with_subnet(api)
    assert net['id'] not in _ids(api, '/v2.0/networks', bob)
    assert api.call('POST', '/v2.0/ports', {'port': {'network_id': net['id']}},
                    token=bob)[0] == 404
    policy = _grant(api, net['id'], 'bob')['rbac_policy']
    assert policy['target_tenant'] == 'bob' and policy['project_id'] == 'demo'
    assert policy['action'] == 'access_as_shared' and policy['object_type'] == 'network'
    # bob sees the network (shared for him) and its subnet, and may put ports on it
    shown = api.ok('GET', '/v2.0/networks/%s' % net['id'], token=bob)['network']
    assert shown['shared'] is True
    assert api.ok('GET', '/v2.0/networks/%s' % net['id'])['network']['shared'] is False
    assert sub['id'] in _ids(api, '/v2.0/subnets', bob)
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}},
                  token=bob)['port']
    assert port['project_id'] == 'bob'
    # carol still sees nothing
    assert net['id'] not in _ids(api, '/v2.0/networks', carol)
    assert api.call('GET', '/v2.0/subnets/%s' % sub['id'], token=carol)[0] == 404
    # the grant is the owner's: bob does not see it, carol cannot delete it
    assert policy['id'] in _ids(api, RBAC, None)
    assert policy['id'] not in _ids(api, RBAC, bob)
    assert api.call('DELETE', RBAC + '/' + policy['id'], token=carol)[0] == 404
    # bob's port depends on the grant: 409 until it is gone
    code, err = api.call('DELETE', RBAC + '/' + policy['id'])
    assert code == 409 and err['NeutronError']['type'] == 'RbacPolicyInUse'
    api.ok('DELETE', '/v2.0/ports/%s' % port['id'], token=bob)
    api.ok('DELETE', RBAC + '/' + policy['id'])
    assert net['id'] not in _ids(api, '/v2.0/networks', bob)


def test_grant_rules(api):
    admin, bob = api.tokens.admin(), api.tokens.token('bob')
    net, _ = _net_with_subnet(api)
    _grant(api, net['id'], 'bob')
    err = _grant(api, net['id'], 'bob', status=409)
    assert err['NeutronError']['type'] == 'DuplicateRbacPolicy'
    # only admins grant to everyone; only the owner grants at all
    _grant(api, net['id'], '*', status=403)
    _grant(api, net['id'], 'carol', token=bob, status=400)
    _grant(api, 'no-such-network', 'bob', status=404)
    for bad in ({'object_type': 'qos_policy'}, {'action': 'access_as_readonly'},
                {'target_tenant': ''}, {'target_tenant': 'x' * 300}):
        body = dict({'object_type': 'network', 'object_id': net['id'],
                     'action': 'access_as_shared', 'target_tenant': 'dave'}, **bad)
        assert api.call('POST', RBAC, {'rbac_policy': body})[0] == 400, bad
    everyone = _grant(api, net['id'], '*', token=admin)['rbac_policy']
    assert api.ok('GET', '/v2.0/networks/%s' % net['id'])['network']['shared'] is True
    listed = api.ok('GET', RBAC + '?object_id=%s&target_tenant=*' % net['id'],
                    token=admin)['rbac_policies']
    assert [p['id'] for p in listed] == [everyone['id']]
    api.ok('DELETE', RBAC + '/' + everyone['id'], token=admin)
    assert api.ok('GET', '/v2.0/networks/%s' % net['id'])['network']['shared'] is False


def test_shared_flag_is_the_wildcard_grant(api):
    admin, bob = api.tokens.admin(), api.tokens.token('bob')
    net, _ = _net_with_subnet(api, token=admin, shared=True)
    grants = api.ok('GET', RBAC + '?object_id=%s' % net['id'], token=admin)['rbac_policies']
    assert [(g['action'], g['target_tenant']) for g in grants] == [('access_as_shared', '*')]
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}},
                  token=bob)['port']
    # bob's port keeps the network shared, by the flag as by the grant
    code, err = api.call('PUT', '/v2.0/networks/%s' % net['id'],
                         {'network': {'shared': False}}, token=admin)
    assert code == 409, err
    code, _ = api.call('DELETE', RBAC + '/' + grants[0]['id'], token=admin)
    assert code == 409
    # a grant naming bob lets the wildcard go
    _grant(api, net['id'], 'bob', token=admin)
    shown = api.ok('PUT', '/v2.0/networks/%s' % net['id'],
                   {'network': {'shared': False}}, token=admin)['network']
    assert shown['shared'] is False
    assert api.ok('GET', '/v2.0/ports/%s' % port['id'], token=bob)['port']['id']
    assert net['id'] not in _ids(api, '/v2.0/networks', api.tokens.token('carol'))


def test_external_to_one_project(api):
    admin, bob, carol = (api.tokens.admin(), api.tokens.token('bob'),
                         api.tokens.token('carol'))
    ext, _ = _net_with_subnet(api, token=admin, cidr='172.30.0.0/24')
    policy = _grant(api, ext['id'], 'bob', action='access_as_external',
                    token=admin)['rbac_policy']
    assert api.ok('GET', '/v2.0/networks/%s' % ext['id'],
                  token=admin)['network']['router:external'] is True
    assert ext['id'] in _ids(api, '/v2.0/networks?router:external=true', bob)
    assert ext['id'] not in _ids(api, '/v2.0/networks', carol)
    # bob may use it as a gateway and for floating IPs, not put ports on it
    router = api.ok('POST', '/v2.0/routers', {'router': {
        'name': 'r', 'external_gateway_info': {'network_id': ext['id']}}},
        token=bob)['router']
    assert router['external_gateway_info']['network_id'] == ext['id']
    assert api.call('POST', '/v2.0/ports', {'port': {'network_id': ext['id']}},
                    token=bob)[0] == 403
    code, _ = api.call('POST', '/v2.0/floatingips', {'floatingip': {
        'floating_network_id': ext['id']}}, token=carol)
    assert code == 404
    # bob's gateway depends on the grant
    assert api.call('DELETE', RBAC + '/' + policy['id'], token=admin)[0] == 409
    api.ok('PUT', '/v2.0/routers/%s' % router['id'],
           {'router': {'external_gateway_info': None}}, token=bob)
    api.ok('DELETE', RBAC + '/' + policy['id'], token=admin)
    assert api.ok('GET', '/v2.0/networks/%s' % ext['id'],
                  token=admin)['network']['router:external'] is False


def test_external_flag_still_visible_to_all(api):
    admin = api.tokens.admin()
    ext = api.ok('POST', '/v2.0/networks', {'network': {
        'name': 'pub', 'router:external': True}}, token=admin)['network']
    assert ext['id'] in _ids(api, '/v2.0/networks', api.tokens.token('carol'))
    grants = api.ok('GET', RBAC + '?object_id=%s' % ext['id'], token=admin)['rbac_policies']
    assert [(g['action'], g['target_tenant']) for g in grants] == [
        ('access_as_external', '*')]
    api.ok('PUT', '/v2.0/networks/%s' % ext['id'], {'network': {'router:external': False}},
           token=admin)
    assert api.ok('GET', RBAC + '?object_id=%s' % ext['id'], token=admin)['rbac_policies'] \
        == []
    # a network's grants go with it
    _grant(api, ext['id'], 'bob', token=admin)
    api.ok('DELETE', '/v2.0/networks/%s' % ext['id'], token=admin)
    assert api.ok('GET', RBAC, token=admin)['rbac_policies'] == []


def test_share_a_subnet_pool_and_an_address_scope_with_one_project(api):
    bob, carol = api.tokens.token('bob'), api.tokens.token('carol')
    pool = api.ok('POST', '/v2.0/subnetpools', {'subnetpool': {
        'name': 'p', 'prefixes': ['10.120.0.0/16'], 'default_prefixlen': 24}})['subnetpool']
    scope = api.ok('POST', '/v2.0/address-scopes', {'address_scope': {
        'name': 's', 'ip_version': 4}})['address_scope']
    assert api.call('GET', '/v2.0/subnetpools/%s' % pool['id'], token=bob)[0] == 404
    grant = api.ok('POST', RBAC, {'rbac_policy': {
        'object_type': 'subnetpool', 'object_id': pool['id'], 'action': 'access_as_shared',
        'target_tenant': 'bob'}})['rbac_policy']
    api.ok('POST', RBAC, {'rbac_policy': {
        'object_type': 'address_scope', 'object_id': scope['id'],
        'action': 'access_as_shared', 'target_tenant': 'bob'}})
    # external is for networks only
    assert api.call('POST', RBAC, {'rbac_policy': {
        'object_type': 'subnetpool', 'object_id': pool['id'],
        'action': 'access_as_external', 'target_tenant': 'bob'}})[0] == 400
    # bob allocates from the pool and puts his own pool in the scope; carol sees neither
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'b'}}, token=bob)['network']
    sub = api.ok('POST', '/v2.0/subnets', {'subnet': {
        'network_id': net['id'], 'subnetpool_id': pool['id']}}, token=bob)['subnet']
    assert sub['cidr'] == '10.120.0.0/24'
    mine = api.ok('POST', '/v2.0/subnetpools', {'subnetpool': {
        'prefixes': ['10.121.0.0/16'], 'address_scope_id': scope['id']}},
        token=bob)['subnetpool']
    assert mine['address_scope_id'] == scope['id']
    assert api.call('GET', '/v2.0/subnetpools/%s' % pool['id'], token=carol)[0] == 404
    assert api.call('GET', '/v2.0/address-scopes/%s' % scope['id'], token=carol)[0] == 404
    # bob's subnet keeps the pool's grant
    assert api.call('DELETE', RBAC + '/' + grant['id'])[0] == 409
    api.ok('DELETE', '/v2.0/subnets/%s' % sub['id'], token=bob)
    api.ok('DELETE', RBAC + '/' + grant['id'])
    assert api.call('GET', '/v2.0/subnetpools/%s' % pool['id'], token=bob)[0] == 404
