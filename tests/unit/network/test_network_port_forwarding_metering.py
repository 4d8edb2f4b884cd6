"""Floating IP port forwardings and metering through the API: validation, conflicts,
policy, what the L3 agent's state carries; and the iptables rules the agent renders."""
import pytest

from network import rpcapi
from network.agents.l3 import metering as l3_metering
from network.agents.l3 import nat_rules
from network.state import NetworkState

pytestmark = pytest.mark.timeout(60)


def _cloud(api):
    admin = api.tokens.admin()
    ext = api.ok('POST', '/v2.0/networks', {'network': {
        'name': 'public', 'router:external': True}}, token=admin)['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {
        'network_id': ext['id'], 'cidr': '203.0.113.0/24', 'enable_dhcp': False}},
        token=admin)
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'n'}})['network']
    sub = api.ok('POST', '/v2.0/subnets', {'subnet': {
        'network_id': net['id'], 'cidr': '10.0.0.0/24'}})['subnet']
    router = api.ok('POST', '/v2.0/routers', {'router': {
        'name': 'r', 'external_gateway_info': {'network_id': ext['id']}}})['router']
    api.ok('PUT', '/v2.0/routers/%s/add_router_interface' % router['id'],
           {'subnet_id': sub['id']})
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})['port']
    fip = api.ok('POST', '/v2.0/floatingips', {'floatingip': {
        'floating_network_id': ext['id']}})['floatingip']
    return admin, router, port, fip


def _pf(port, ext=2222, internal=22, **extra):
    return {'port_forwarding': dict({
        'protocol': 'tcp', 'internal_port_id': port['id'],
        'internal_ip_address': port['fixed_ips'][0]['ip_address'],
        'internal_port': internal, 'external_port': ext}, **extra)}


def test_port_forwarding_crud_conflicts_and_fip(api, network_conf_obj):
    admin, router, port, fip = _cloud(api)
    path = '/v2.0/floatingips/%s/port_forwardings' % fip['id']
    pf = api.ok('POST', path, _pf(port, description='ssh'), status=201)['port_forwarding']
    assert pf['external_port'] == 2222 and pf['internal_port'] == 22
    assert pf['description'] == 'ssh' and pf['protocol'] == 'tcp'
    shown = api.ok('GET', '/v2.0/floatingips/%s' % fip['id'])['floatingip']
    assert shown['router_id'] == router['id'] and shown['status'] == 'ACTIVE'
    assert shown['port_forwardings'] == [{
        'protocol': 'tcp', 'internal_ip_address': port['fixed_ips'][0]['ip_address'],
        'internal_port': 22, 'external_port': 2222}]
    # Same external port and protocol: 409; another protocol is another forwarding.
    code, body = api.call('POST', path, _pf(port, internal=23))
    assert code == 409, body
    api.ok('POST', path, _pf(port, protocol='udp', internal=53), status=201)
    # Digit strings are converted, as Neutron does.
    api.ok('POST', path, _pf(port, ext='8080', internal='80'), status=201)
    listed = api.ok('GET', path + '?protocol=tcp')['port_forwardings']
    assert sorted(p['external_port'] for p in listed) == [2222, 8080]
    # Associating the floating IP with a port while it forwards: 409.
    assert api.call('PUT', '/v2.0/floatingips/%s' % fip['id'],
                    {'floatingip': {'port_id': port['id']}})[0] == 409
    updated = api.ok('PUT', path + '/' + pf['id'], {'port_forwarding': {
        'external_port': 2200, 'description': 'moved'}})['port_forwarding']
    assert updated['external_port'] == 2200 and updated['description'] == 'moved'
    # An update that would collide is refused like a create.
    assert api.call('PUT', path + '/' + pf['id'],
                    {'port_forwarding': {'external_port': 8080}})[0] == 409
    # The L3 agent gets the forwardings with the floating IP.
    core = NetworkState.get(network_conf_obj).core
    state = core.hoststate.get('h1', rpcapi.AGENT_L3)
    (fstate,) = state['routers'][0]['floating_ips']
    assert {f['external_port'] for f in fstate['port_forwardings']} == {2200, 2222, 8080}
    for item in api.ok('GET', path)['port_forwardings']:
        assert api.call('DELETE', path + '/' + item['id'])[0] == 204
    shown = api.ok('GET', '/v2.0/floatingips/%s' % fip['id'])['floatingip']
    assert shown['router_id'] is None and shown['status'] == 'DOWN'
    assert shown['port_forwardings'] == []


@pytest.mark.parametrize('change, status', [
    ({'internal_port': 0}, 400), ({'external_port': 65536}, 400),
    ({'external_port': True}, 400), ({'protocol': 'icmp'}, 400),
    ({'internal_ip_address': '10.0.0.250'}, 400),          # not the port's address
    ({'internal_ip_address': '10.0.0.1; reboot'}, 400),
    ({'internal_port_id': 'nope'}, 404),
    ({'surprise': 1}, 400),
])
def test_port_forwarding_bad_input(api, change, status):
    _admin, _router, port, fip = _cloud(api)
    body = _pf(port)
    body['port_forwarding'].update(change)
    code, answer = api.call('POST', '/v2.0/floatingips/%s/port_forwardings' % fip['id'], body)
    assert code == status, answer


def test_port_forwarding_refused_on_associated_fip_and_to_others(api):
    _admin, _router, port, fip = _cloud(api)
    path = '/v2.0/floatingips/%s/port_forwardings' % fip['id']
    api.ok('PUT', '/v2.0/floatingips/%s' % fip['id'], {'floatingip': {'port_id': port['id']}})
    assert api.call('POST', path, _pf(port))[0] == 409
    api.ok('PUT', '/v2.0/floatingips/%s' % fip['id'], {'floatingip': {'port_id': None}})
    pf = api.ok('POST', path, _pf(port), status=201)['port_forwarding']
    # Another project neither sees nor changes them; a reader of the project only reads.
    other = api.tokens.token('other')
    assert api.call('GET', path, token=other)[0] == 404
    assert api.call('DELETE', path + '/' + pf['id'], token=other)[0] == 404
    reader = api.tokens.token('demo', roles=('reader',))
    assert api.call('GET', path, token=reader)[0] == 200
    assert api.call('DELETE', path + '/' + pf['id'], token=reader)[0] == 403
    # Deleting the internal port drops its forwardings and unbinds the floating IP.
    assert api.call('DELETE', '/v2.0/ports/%s' % port['id'])[0] == 204
    assert api.ok('GET', path)['port_forwardings'] == []
    assert api.ok('GET', '/v2.0/floatingips/%s' % fip['id'])['floatingip']['router_id'] is None


def test_metering_labels_and_rules(api, network_conf_obj):
    admin, router, _port, _fip = _cloud(api)
    labels = '/v2.0/metering/metering-labels'
    rules = '/v2.0/metering/metering-label-rules'
    assert api.call('POST', labels, {'metering_label': {'name': 'x'}})[0] == 403
    assert api.ok('GET', labels)['metering_labels'] == []
    label = api.ok('POST', labels, {'metering_label': {'name': 'web', 'description': 'd',
                                                       'tenant_id': 'demo'}},
                   token=admin, status=201)['metering_label']
    assert label['shared'] is False and label['project_id'] == 'demo'
    rule = api.ok('POST', rules, {'metering_label_rule': {
        'metering_label_id': label['id'], 'direction': 'ingress',
        'remote_ip_prefix': '198.51.100.0/24'}}, token=admin, status=201)['metering_label_rule']
    assert rule['excluded'] is False and rule['remote_ip_prefix'] == '198.51.100.0/24'
    for bad, status in (({'remote_ip_prefix': '198.51.100.128/25'}, 409),   # overlaps
                        ({'remote_ip_prefix': 'nope'}, 400),
                        ({'remote_ip_prefix': '10.0.0.0/8', 'source_ip_prefix': '10.0.0.0/8'},
                         400),
                        ({}, 400), ({'direction': 'sideways'}, 400)):
        body = dict({'metering_label_id': label['id'], 'direction': 'ingress'}, **bad)
        code, answer = api.call('POST', rules, {'metering_label_rule': body}, token=admin)
        assert code == status, (bad, answer)
    api.ok('POST', rules, {'metering_label_rule': {
        'metering_label_id': label['id'], 'direction': 'egress', 'excluded': True,
        'destination_ip_prefix': '10.9.0.0/16'}}, token=admin, status=201)
    core = NetworkState.get(network_conf_obj).core
    (r,) = core.hoststate.get('h1', rpcapi.AGENT_L3)['routers']
    (mstate,) = r['metering_labels']
    assert mstate['id'] == label['id'] and len(mstate['rules']) == 2
    # Counters the agent reports add up per label.
    core.metering.add_counts([{'label_id': label['id'], 'router_id': router['id'],
                               'packets': 3, 'bytes': 180}] * 2)
    (report,) = core.metering.report()
    assert report['packets'] == 6 and report['bytes'] == 360 and report['routers'] == 1
    assert api.call('DELETE', rules + '/' + rule['id'], token=admin)[0] == 204
    assert api.call('DELETE', labels + '/' + label['id'], token=admin)[0] == 204
    assert core.metering.report() == []


def test_rendered_forwarding_rules_check_every_value():
    fip = {'floating_ip_address': '203.0.113.5', 'port_forwardings': [
        {'id': 'a', 'protocol': 'tcp', 'internal_ip_address': '10.0.0.5',
         'internal_port': 22, 'external_port': 2222},
        {'id': 'b', 'protocol': 'tcp -j ACCEPT', 'internal_ip_address': '10.0.0.5',
         'internal_port': 22, 'external_port': 2223},
        {'id': 'c', 'protocol': 'udp', 'internal_ip_address': '10.0.0.5 -j X',
         'internal_port': 53, 'external_port': 53},
        {'id': 'd', 'protocol': 'udp', 'internal_ip_address': '10.0.0.5',
         'internal_port': 70000, 'external_port': 53}]}
    assert nat_rules.forwarding_rules(fip) == [
        '-d 203.0.113.5/32 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 10.0.0.5:22']
    router = {'gw_port': {'fixed_ips': [{'ip_address': '203.0.113.2'}]}, 'interfaces': [],
              'floating_ips': [fip]}
    chains, _jumps = nat_rules.build(router, 'qg-x')
    assert chains['cs-PREROUTING'] == chains['cs-OUTPUT'] == nat_rules.forwarding_rules(fip)


def test_rendered_metering_chains():
    label = 'aaaaaaaa-1111-2222-3333-444444444444'
    router = {'gw_port': {'id': 'g'}, 'metering_labels': [
        {'id': label, 'rules': [
            {'direction': 'ingress', 'remote_ip_prefix': '198.51.100.0/24'},
            {'direction': 'egress', 'destination_ip_prefix': '10.9.0.0/16',
             'excluded': True},
            {'direction': 'egress', 'remote_ip_prefix': '0.0.0.0/0 -j ACCEPT'}]},
        {'id': 'not-a-uuid', 'rules': []}]}
    chains, jumps = l3_metering.build(router, 'qg-x')
    rules_chain, count_chain = l3_metering.chain_names(label)
    assert jumps == [('FORWARD', '-j cs-meter')]
    assert chains['cs-meter'] == ['-j ' + rules_chain]
    assert chains[rules_chain] == ['-o qg-x -d 10.9.0.0/16 -j RETURN',
                                   '-i qg-x -s 198.51.100.0/24 -j ' + count_chain]
    assert chains[count_chain] == ['-m comment --comment %s -j RETURN' % label]
    listing = ('Chain %s (1 references)\n    pkts      bytes target     prot opt in     out'
               '     source               destination\n      12     1500 RETURN     0    --'
               '  *      *       0.0.0.0/0            0.0.0.0/0            /* %s */\n'
               % (count_chain, label))
    assert l3_metering.parse_counts(listing) == {label: (12, 1500)}
    counters = l3_metering.Counters()
    counters.add('r1', {label: (12, 1500)})
    counters.add('r1', {label: (1, 60)})
    items = counters.take()
    assert items == [{'label_id': label, 'router_id': 'r1', 'packets': 13, 'bytes': 1560}]
    assert counters.take() == []
    counters.restore(items)
    assert counters.take() == items
