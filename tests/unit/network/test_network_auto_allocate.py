"""auto-allocated-topology: made once per project (also under concurrent asks), dry-run,
delete, policy."""
import threading

import pytest

pytestmark = pytest.mark.timeout(120)
TOPO = '/v2.0/auto-allocated-topology/%s'


def _prepare(api, admin):
    ext = api.ok('POST', '/v2.0/networks', {'network': {
        'name': 'public', 'router:external': True, 'is_default': True}}, token=admin)['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': ext['id'],
                                                'cidr': '198.51.100.0/24',
                                                'enable_dhcp': False}}, token=admin)
    return ext


def test_needs_default_network_and_pool_then_makes_one_topology(api):
    admin = api.tokens.admin()
    assert api.call('GET', TOPO % 'demo' + '?fields=dry-run')[0] == 409
    ext = _prepare(api, admin)
    status, body = api.call('GET', TOPO % 'demo')
    assert status == 409 and 'subnetpool' in str(body)
    api.ok('POST', '/v2.0/subnetpools', {'subnetpool': {
        'name': 'default-v4', 'prefixes': ['10.200.0.0/16'], 'default_prefixlen': 26,
        'is_default': True, 'shared': True}}, token=admin)
    assert api.ok('GET', TOPO % 'demo' + '?fields=dry-run')['auto_allocated_topology'][
        'id'] == 'dry-run=pass'
    assert api.ok('GET', '/v2.0/networks?name=auto_allocated_network')['networks'] == []
    topo = api.ok('GET', TOPO % 'demo')['auto_allocated_topology']
    assert topo['project_id'] == topo['tenant_id'] == 'demo'
    net = api.ok('GET', '/v2.0/networks/%s' % topo['id'])['network']
    assert net['project_id'] == 'demo' and len(net['subnets']) == 1
    subnet = api.ok('GET', '/v2.0/subnets/%s' % net['subnets'][0])['subnet']
    assert subnet['cidr'].startswith('10.200.') and subnet['cidr'].endswith('/26')
    [router] = api.ok('GET', '/v2.0/routers?name=auto_allocated_router')['routers']
    assert router['external_gateway_info']['network_id'] == ext['id']
    ports = api.ok('GET', '/v2.0/ports?device_id=%s&network_id=%s'
                   % (router['id'], net['id']))['ports']
    assert [p['fixed_ips'][0]['ip_address'] for p in ports] == [subnet['gateway_ip']]
    # asked again (also as 'None', a client's "my project"): the same one
    assert api.ok('GET', TOPO % 'demo')['auto_allocated_topology']['id'] == topo['id']
    assert api.ok('GET', TOPO % 'None')['auto_allocated_topology']['id'] == topo['id']
    # policy: a member asks only for its own project; a reader not at all
    assert api.call('GET', TOPO % 'other')[0] == 403
    reader = api.tokens.token('demo', roles=('reader',))
    assert api.call('GET', TOPO % 'demo', token=reader)[0] == 403
    assert api.call('DELETE', TOPO % 'demo', token=reader)[0] == 403
    assert api.call('GET', TOPO % 'bad%20id', token=admin)[0] == 400
    assert api.call('GET', TOPO % 'demo' + '?fields=name')[0] == 400
    # delete removes all of it
    api.ok('DELETE', TOPO % 'demo')
    assert api.call('GET', '/v2.0/networks/%s' % topo['id'])[0] == 404
    assert api.call('GET', '/v2.0/routers/%s' % router['id'])[0] == 404
    assert api.call('DELETE', TOPO % 'demo')[0] == 404
    # an admin makes one for another project
    other = api.ok('GET', TOPO % 'proj2', token=admin)['auto_allocated_topology']
    assert api.ok('GET', '/v2.0/networks/%s' % other['id'], token=admin)['network'][
        'project_id'] == 'proj2'


def test_concurrent_asks_make_one_topology(api):
    admin = api.tokens.admin()
    _prepare(api, admin)
    api.ok('POST', '/v2.0/subnetpools', {'subnetpool': {
        'name': 'default-v4', 'prefixes': ['10.201.0.0/16'], 'default_prefixlen': 26,
        'is_default': True, 'shared': True}}, token=admin)
    results = []

    def ask():
        results.append(api.call('GET', TOPO % 'demo'))
    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [s for s, _ in results] == [200] * 4, results
    assert len({b['auto_allocated_topology']['id'] for _, b in results}) == 1
    assert len(api.ok('GET', '/v2.0/networks?name=auto_allocated_network')['networks']) == 1
    assert len(api.ok('GET', '/v2.0/routers?name=auto_allocated_router')['routers']) == 1
