"""Networks, subnets and ports through the paste app: happy paths, listing, validation."""
import pytest

pytestmark = pytest.mark.timeout(60)


def _net(api, name='n1', token=None, **extra):
    return api.ok('POST', '/v2.0/networks', {'network': dict(name=name, **extra)},
                  token=token)['network']


def _subnet(api, net_id, cidr='10.0.0.0/24', token=None, **extra):
    body = dict(network_id=net_id, cidr=cidr, ip_version=4 if ':' not in cidr else 6, **extra)
    return api.ok('POST', '/v2.0/subnets', {'subnet': body}, token=token)['subnet']


def test_version_discovery_needs_no_token(api):
    code, body = api.call('GET', '/', token='')
    assert code == 200 and body['versions'][0]['id'] == 'v2.0'
    code, body = api.call('GET', '/v2.0/networks', token='')
    assert code == 401 and body['NeutronError']['type'] == 'NotAuthorized'


def test_extensions_list_what_is_implemented(api):
    aliases = {e['alias'] for e in api.ok('GET', '/v2.0/extensions')['extensions']}
    assert {'router', 'external-net', 'provider', 'binding', 'security-group', 'quotas',
            'allowed-address-pairs', 'port-security', 'extraroute', 'agent'} <= aliases
    assert api.call('GET', '/v2.0/extensions/nope')[0] == 404


def test_network_subnet_port_lifecycle(api):
    net = _net(api)
    assert net['status'] == 'ACTIVE' and net['mtu'] == 1500
    assert 'provider:network_type' not in net  # admin-only attribute
    sub = _subnet(api, net['id'], dns_nameservers=['8.8.8.8'],
                  host_routes=[{'destination': '10.9.0.0/16', 'nexthop': '10.0.0.9'}])
    assert sub['gateway_ip'] == '10.0.0.1'
    assert sub['allocation_pools'] == [{'start': '10.0.0.2', 'end': '10.0.0.254'}]
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                                    'name': 'p1'}})['port']
    ip = port['fixed_ips'][0]['ip_address']
    assert port['status'] == 'DOWN' and ip.startswith('10.0.0.') and ip != '10.0.0.1'
    assert port['mac_address'].startswith('fa:16:3e:')
    assert len(port['security_groups']) == 1
    shown = api.ok('GET', '/v2.0/networks/%s' % net['id'])['network']
    assert shown['subnets'] == [sub['id']]
    code, body = api.call('DELETE', '/v2.0/networks/%s' % net['id'])
    assert code == 409 and body['NeutronError']['type'] == 'NetworkInUse'
    code, body = api.call('DELETE', '/v2.0/subnets/%s' % sub['id'])
    assert code == 409 and body['NeutronError']['type'] == 'SubnetInUse'
    updated = api.ok('PUT', '/v2.0/ports/%s' % port['id'],
                     {'port': {'name': 'p2', 'fixed_ips': [{'ip_address': '10.0.0.77'}]}})
    assert updated['port']['fixed_ips'] == [{'subnet_id': sub['id'], 'ip_address': '10.0.0.77'}]
    api.ok('DELETE', '/v2.0/ports/%s' % port['id'])
    api.ok('DELETE', '/v2.0/networks/%s' % net['id'])
    assert api.call('GET', '/v2.0/subnets/%s' % sub['id'])[0] == 404


@pytest.mark.parametrize('cidr', ['10.0.5.0/24', '2001:db8:5::/64'])
def test_subnet_without_gateway(api, cidr):
    """gateway_ip null: no gateway, and the pool covers the whole range (was a 500)."""
    sub = _subnet(api, _net(api)['id'], cidr=cidr, gateway_ip=None)
    assert sub['gateway_ip'] is None
    first = sub['allocation_pools'][0]['start']
    assert first in ('10.0.5.1', '2001:db8:5::1')


def test_ipv6_subnets_and_slaac_addresses(api):
    net = _net(api)
    sub = _subnet(api, net['id'], cidr='2001:db8:1::/64', ipv6_ra_mode='slaac',
                  ipv6_address_mode='slaac')
    assert sub['gateway_ip'] == '2001:db8:1::1'
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                                    'mac_address': 'fa:16:3e:11:22:33'}})
    assert port['port']['fixed_ips'][0]['ip_address'] == '2001:db8:1:0:f816:3eff:fe11:2233'
    code, body = api.call('POST', '/v2.0/subnets', {'subnet': {
        'network_id': net['id'], 'cidr': '2001:db8:2::/64', 'ip_version': 6,
        'ipv6_ra_mode': 'slaac', 'ipv6_address_mode': 'dhcpv6-stateful'}})
    assert code == 400 and 'ipv6_ra_mode' in body['NeutronError']['message']
    code, body = api.call('POST', '/v2.0/subnets', {'subnet': {
        'network_id': net['id'], 'cidr': '10.1.0.0/24', 'ip_version': 4,
        'ipv6_address_mode': 'slaac'}})
    assert code == 400
    # a SLAAC subnet goes although ports have addresses from it; the ports keep the rest
    four = _subnet(api, net['id'], cidr='10.7.0.0/24')
    both = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})['port']
    assert {ip['subnet_id'] for ip in both['fixed_ips']} == {sub['id'], four['id']}
    api.ok('DELETE', '/v2.0/subnets/%s' % sub['id'])
    left = api.ok('GET', '/v2.0/ports/%s' % both['id'])['port']['fixed_ips']
    assert [ip['subnet_id'] for ip in left] == [four['id']]
    assert api.ok('GET', '/v2.0/ports/%s' % port['port']['id'])['port']['fixed_ips'] == []
    # a stateful subnet with a port on it stays
    assert api.call('DELETE', '/v2.0/subnets/%s' % four['id'])[0] == 409


def test_list_filters_fields_sorting_and_pagination(api):
    ids = [_net(api, name='net%d' % i, shared=False)['id'] for i in range(5)]
    _net(api, name='other')
    names = [n['name'] for n in api.ok('GET', '/v2.0/networks?name=net1&name=net3')['networks']]
    assert sorted(names) == ['net1', 'net3']
    body = api.ok('GET', '/v2.0/networks?fields=id&fields=name&name=net0')
    assert body['networks'] == [{'id': ids[0], 'name': 'net0'}]
    desc = api.ok('GET', '/v2.0/networks?sort_key=name&sort_dir=desc')['networks']
    assert [n['name'] for n in desc] == ['other', 'net4', 'net3', 'net2', 'net1', 'net0']
    page1 = api.ok('GET', '/v2.0/networks?sort_key=name&sort_dir=asc&limit=2')
    assert [n['name'] for n in page1['networks']] == ['net0', 'net1']
    nxt = [l for l in page1['networks_links'] if l['rel'] == 'next'][0]['href']
    page2 = api.ok('GET', nxt.replace('http://localhost', ''))
    assert [n['name'] for n in page2['networks']] == ['net2', 'net3']
    prev = [l for l in page2['networks_links'] if l['rel'] == 'previous'][0]['href']
    back = api.ok('GET', prev.replace('http://localhost', ''))
    assert [n['name'] for n in back['networks']] == ['net0', 'net1']
    assert api.ok('GET', '/v2.0/networks?shared=false&name=net2')['networks'][0]['id'] == ids[2]
    code, body = api.call('GET', '/v2.0/networks?shared=maybe')
    assert code == 400 and 'shared' in body['NeutronError']['message']
    code, body = api.call('GET', '/v2.0/networks?colour=red')
    assert code == 400 and 'colour' in body['NeutronError']['message']
    assert api.call('GET', '/v2.0/networks?sort_key=bogus')[0] == 400


def test_bulk_create_is_all_or_nothing(api):
    body = {'networks': [{'name': 'b1'}, {'name': 'b2'}]}
    created = api.ok('POST', '/v2.0/networks', body)['networks']
    assert [n['name'] for n in created] == ['b1', 'b2']
    net_id = created[0]['id']
    code, _ = api.call('POST', '/v2.0/subnets', {'subnets': [
        {'network_id': net_id, 'cidr': '10.5.0.0/24', 'ip_version': 4},
        {'network_id': net_id, 'cidr': '10.5.0.0/25', 'ip_version': 4}]})
    assert code == 400
    assert api.ok('GET', '/v2.0/subnets?network_id=%s' % net_id)['subnets'] == []


def test_provider_networks_and_vlan_allocation(api):
    admin = api.tokens.admin()
    code, body = api.call('POST', '/v2.0/networks', {'network': {
        'name': 'x', 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1'}})
    assert code == 403 and body['NeutronError']['type'] == 'PolicyNotAuthorized'
    vlans = set()
    for _ in range(3):
        net = _net(api, token=admin, **{'provider:network_type': 'vlan',
                                        'provider:physical_network': 'physnet1'})
        assert net['provider:physical_network'] == 'physnet1'
        vlans.add(net['provider:segmentation_id'])
    assert vlans == {100, 101, 102}
    code, body = api.call('POST', '/v2.0/networks', {'network': {
        'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1'}},
        token=admin)
    assert code == 409
    explicit = _net(api, token=admin, **{'provider:network_type': 'vlan',
                                         'provider:physical_network': 'physnet2',
                                         'provider:segmentation_id': 42})
    assert explicit['provider:segmentation_id'] == 42
    code, _ = api.call('POST', '/v2.0/networks', {'network': {
        'provider:network_type': 'vlan', 'provider:physical_network': 'physnet2',
        'provider:segmentation_id': 42}}, token=admin)
    assert code == 409
    flat = _net(api, token=admin, **{'provider:network_type': 'flat',
                                     'provider:physical_network': 'ext'})
    assert flat['provider:segmentation_id'] is None
    code, _ = api.call('POST', '/v2.0/networks', {'network': {
        'provider:network_type': 'vlan', 'provider:physical_network': 'nosuch'}}, token=admin)
    assert code == 400
    assert _net(api)['id']  # tenant default type: local


def test_port_binding_and_status_visible_to_admin_only(api):
    admin = api.tokens.admin()
    net = _net(api)
    _subnet(api, net['id'])
    code, _ = api.call('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                                         'binding:host_id': 'h1'}})
    assert code == 403
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                                    'binding:host_id': 'h1',
                                                    'project_id': 'demo'}},
                  token=admin)['port']
    assert port['binding:vif_type'] == 'unbound'
    mine = api.ok('GET', '/v2.0/ports/%s' % port['id'])['port']
    assert 'binding:host_id' not in mine and mine['project_id'] == 'demo'
