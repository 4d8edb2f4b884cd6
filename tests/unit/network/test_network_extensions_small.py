"""The small Neutron extensions: extraroute-atomic, is_default on external networks,
multicast MACs, network-ip-availability and service-type, as clients call them."""
import pytest

pytestmark = pytest.mark.timeout(60)


def _router_on_subnet(api, cidr='10.7.0.0/24'):
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'n'}})['network']
    sub = api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                      'cidr': cidr}})['subnet']
    router = api.ok('POST', '/v2.0/routers', {'router': {'name': 'r'}})['router']
    api.ok('PUT', '/v2.0/routers/%s/add_router_interface' % router['id'],
           {'subnet_id': sub['id']})
    return router


def test_extraroutes_added_and_removed_atomically(api):
    router = _router_on_subnet(api)
    path = '/v2.0/routers/%s/' % router['id']
    r1 = {'destination': '192.168.5.0/24', 'nexthop': '10.7.0.5'}
    r2 = {'destination': '192.168.6.0/24', 'nexthop': '10.7.0.6'}
    shown = api.ok('PUT', path + 'add_extraroutes', {'router': {'routes': [r1]}})['router']
    assert shown['routes'] == [r1]
    # adding a route already there and a new one keeps each once
    shown = api.ok('PUT', path + 'add_extraroutes',
                   {'router': {'routes': [r1, r2]}})['router']
    assert shown['routes'] == [r1, r2]
    assert shown['revision_number'] > router['revision_number']
    # removing one that is absent is no error
    shown = api.ok('PUT', path + 'remove_extraroutes',
                   {'router': {'routes': [r1, {'destination': '1.2.3.0/24',
                                               'nexthop': '10.7.0.9'}]}})['router']
    assert shown['routes'] == [r2]
    assert api.ok('GET', path.rstrip('/'))['router']['routes'] == [r2]


def test_extraroutes_refuse_bad_input_and_strangers(api):
    router = _router_on_subnet(api)
    path = '/v2.0/routers/%s/add_extraroutes' % router['id']
    for routes in ([{'destination': '10.9.0.0/24', 'nexthop': '172.16.0.1'}],   # unconnected
                   [{'destination': '10.9.0.1/24', 'nexthop': '10.7.0.5'}],     # host bits
                   [{'destination': '10.9.0.0/24'}],
                   'x'):
        code, body = api.call('PUT', path, {'router': {'routes': routes}})
        assert code == 400, (routes, body)
    assert api.call('PUT', path, {'routes': []})[0] == 400
    # shapes the fuzz found answering 500
    for body in ({'router': True}, {'router': None}, {'router': {'routes': [], 'x': 1}},
                 {'subnet_id': None, 'router': True}, [], 'x'):
        assert api.call('PUT', path, body)[0] == 400, body
    code, _ = api.call('PUT', path, {'router': {'routes': []}},
                       token=api.tokens.token('bob'))
    assert code == 404
    assert api.ok('GET', '/v2.0/routers/%s' % router['id'])['router']['routes'] == []


def test_one_default_external_network(api):
    admin = api.tokens.admin()
    body = {'network': {'name': 'pub', 'router:external': True, 'is_default': True}}
    pub = api.ok('POST', '/v2.0/networks', body, token=admin)['network']
    assert pub['is_default'] is True
    code, err = api.call('POST', '/v2.0/networks', body, token=admin)
    assert code == 409 and err['NeutronError']['type'] == 'DefaultExternalNetworkExists'
    other = api.ok('POST', '/v2.0/networks', {'network': {
        'name': 'pub2', 'router:external': True}}, token=admin)['network']
    code, _ = api.call('PUT', '/v2.0/networks/%s' % other['id'],
                       {'network': {'is_default': True}}, token=admin)
    assert code == 409
    listed = api.ok('GET', '/v2.0/networks?is_default=true', token=admin)['networks']
    assert [n['id'] for n in listed] == [pub['id']]
    # the default moves once the first one lets go of it
    api.ok('PUT', '/v2.0/networks/%s' % pub['id'], {'network': {'is_default': False}},
           token=admin)
    moved = api.ok('PUT', '/v2.0/networks/%s' % other['id'],
                   {'network': {'is_default': True}}, token=admin)['network']
    assert moved['is_default'] is True
    # an internal network is never the default; only admins choose the default
    internal = api.ok('POST', '/v2.0/networks', {'network': {'is_default': True}},
                      token=admin)['network']
    assert internal['is_default'] is False
    assert api.call('POST', '/v2.0/networks', {'network': {'is_default': True}})[0] == 403


def test_port_mac_accepts_what_neutron_accepts(api):
    admin = api.tokens.admin()
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'n'}})['network']
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})['port']
    path = '/v2.0/ports/%s' % port['id']
    shown = api.ok('PUT', path, {'port': {'mac_address': '11:22:33:44:55:66'}},
                   token=admin)['port']
    assert shown['mac_address'] == '11:22:33:44:55:66'
    shown = api.ok('PUT', path, {'port': {'mac_address': 'AA-BB-CC-00-11-22'}},
                   token=admin)['port']
    assert shown['mac_address'] == 'aa:bb:cc:00:11:22'
    for bad in ('00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', '11:22:33:44:55',
                '11:22:33:44:55:66\n', 'zz:22:33:44:55:66'):
        code, err = api.call('PUT', path, {'port': {'mac_address': bad}}, token=admin)
        assert code == 400, (bad, err)
    # members may not change a MAC (Neutron's default policy)
    assert api.call('PUT', path, {'port': {'mac_address': '11:22:33:44:55:77'}})[0] == 403


def test_multicast_mac_reaches_the_agents_screen():
    from network.agents.common import screen
    state = {'ports': [{'id': '5b1e9c2a-1111-4222-8333-944455556666',
                        'mac_address': '11:22:33:44:55:66'},
                       {'id': '5b1e9c2a-1111-4222-8333-944455556667',
                        'mac_address': '11:22:33:44:55:66;x'}]}
    cleaned = screen.screen_state(state)
    assert [p['mac_address'] for p in cleaned['ports']] == ['11:22:33:44:55:66']
    assert cleaned['skipped_ports'] == ['5b1e9c2a-1111-4222-8333-944455556667']


def test_ip_availability_counts_pools_and_allocations(api):
    admin = api.tokens.admin()
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'avail'}})['network']
    sub = api.ok('POST', '/v2.0/subnets', {'subnet': {
        'network_id': net['id'], 'cidr': '10.8.0.0/29', 'name': 's4'}})['subnet']
    for _ in range(2):
        api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})
    shown = api.ok('GET', '/v2.0/network-ip-availabilities/%s' % net['id'],
                   token=admin)['network_ip_availability']
    # a /29 has 6 hosts, one is the gateway: 5 in the pool, 2 used (no DHCP port here)
    assert (shown['total_ips'], shown['used_ips']) == (5, 2)
    assert shown['network_name'] == 'avail' and shown['project_id'] == 'demo'
    assert shown['subnet_ip_availability'] == [{
        'subnet_id': sub['id'], 'subnet_name': 's4', 'cidr': '10.8.0.0/29', 'ip_version': 4,
        'total_ips': 5, 'used_ips': 2}]
    listed = api.ok('GET', '/v2.0/network-ip-availabilities?network_name=avail',
                    token=admin)['network_ip_availabilities']
    assert [n['network_id'] for n in listed] == [net['id']]
    assert api.ok('GET', '/v2.0/network-ip-availabilities?ip_version=6',
                  token=admin)['network_ip_availabilities'] == []
    assert api.call('GET', '/v2.0/network-ip-availabilities?bogus=1', token=admin)[0] == 400
    assert api.call('GET', '/v2.0/network-ip-availabilities')[0] == 403
    assert api.call('GET', '/v2.0/network-ip-availabilities/nope', token=admin)[0] == 404


def test_service_providers_and_extensions_listed(api):
    providers = api.ok('GET', '/v2.0/service-providers')['service_providers']
    assert providers == [{'service_type': 'L3_ROUTER_NAT', 'name': 'l3_agent',
                          'default': True}]
    aliases = {e['alias'] for e in api.ok('GET', '/v2.0/extensions')['extensions']}
    assert {'extraroute-atomic', 'network-ip-availability', 'service-type'} <= aliases


def test_default_external_network_race_leaves_one(api):
    """Concurrent `network create --external --default`: one wins, the others get 409."""
    import concurrent.futures
    admin = api.tokens.admin()

    def create(index):
        return api.call('POST', '/v2.0/networks', {'network': {
            'name': 'pub%d' % index, 'router:external': True, 'is_default': True}},
            token=admin)[0]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(create, range(6)))
    assert codes == [201, 409, 409, 409, 409, 409]
    defaults = api.ok('GET', '/v2.0/networks?is_default=true', token=admin)['networks']
    assert len(defaults) == 1
    # deleting the default frees the place
    api.ok('DELETE', '/v2.0/networks/%s' % defaults[0]['id'], token=admin)
    assert create(9) == 201
