"""Negative tests of the network API, resource type by resource type, as a member attacker
(project ``demo``) would try them against a victim project (``other``), the admin's
external and shared networks, and the host: escalation by update, injection of values
that end up in iptables/ipset/ebtables rules and dnsmasq files, oversize and malformed
bodies. Nothing answers 500, nothing changes that should not."""
import json

import pytest

from network import rpcapi
from network.agents.bridge import ebtables_rules
from network.agents.bridge import firewall
from network.agents.common import iptables
from network.agents.common import screen
from network.agents.dhcp import dnsmasq_config
from network.state import NetworkState

pytestmark = pytest.mark.timeout(120)

HOST = 'compute-neg'
BAD_TEXT = ['x\ny', 'esc\x1b[2J', 'nul\x00', 'del\x7f', 'sep\u2028', 'c1\x85']
BAD_IPS = ['10.50.0.9%a', 'fd50::9%eth0', '10.50.0.9\n', '10.50.0.9\n-A INPUT -j ACCEPT',
           ' 10.50.0.9', '10.50.0.9 ', '10.50.0.09', '10.50.0.9/32\n', 'fd50::9%\n', '1e3',
           '10.50.0.9,10.50.0.10', '[fd50::9]', 'fd50::9/64%1', 9]
BAD_CIDRS = ['10.50.0.0/24\n', 'fd50::%1/64', '10.50.0.0/24 ', '10.50.0.0/33', '10.50/24',
             '10.50.0.0/24,0.0.0.0/0', 'fd50::/64\n-A INPUT -j ACCEPT', 24]
BAD_MACS = ['fa:16:3e:00:00:09\n', 'fa:16:3e:00:00:09\nfa:16:3e:00:00:0a', 'fa:16:3e:0:0:9:1',
            'fa:16:3e:00:00:0g', '00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', ' fa:16:3e:00:00:09',
            'fa:16:3e:00:00:09,10.50.0.9', 7]


def _mk(api, path, member, body, token=None):
    return api.ok('POST', '/v2.0/%s' % path, {member: body}, token=token)[member]


@pytest.fixture
def world(api):
    """The admin's external and shared networks, and a victim's and the attacker's own
    network, subnet, port, router, security group and rule."""
    admin, victim = api.tokens.admin(), api.tokens.token('other')
    w = {'admin': admin, 'victim': victim}
    w['ext'] = _mk(api, 'networks', 'network', {'name': 'public', 'router:external': True},
                   admin)
    _mk(api, 'subnets', 'subnet', {'network_id': w['ext']['id'], 'cidr': '203.0.113.0/24'},
        admin)
    w['shared'] = _mk(api, 'networks', 'network', {'name': 'shared', 'shared': True}, admin)
    w['shared_sub'] = _mk(api, 'subnets', 'subnet', {'network_id': w['shared']['id'],
                                                     'cidr': '10.60.0.0/24'}, admin)
    for who, token, cidr in (('v', victim, '10.40.0.0/24'), ('a', None, '10.50.0.0/24')):
        w[who + '_net'] = _mk(api, 'networks', 'network', {'name': who}, token)
        w[who + '_sub'] = _mk(api, 'subnets', 'subnet', {'network_id': w[who + '_net']['id'],
                                                         'cidr': cidr}, token)
        w[who + '_sub6'] = _mk(api, 'subnets', 'subnet', {
            'network_id': w[who + '_net']['id'], 'cidr': 'fd%s::/64' % cidr[3:5],
            'ip_version': 6, 'ipv6_address_mode': 'dhcpv6-stateful',
            'ipv6_ra_mode': 'dhcpv6-stateful'}, token)
        w[who + '_port'] = _mk(api, 'ports', 'port', {'network_id': w[who + '_net']['id']},
                               token)
        w[who + '_router'] = _mk(api, 'routers', 'router', {'name': who}, token)
        w[who + '_sg'] = _mk(api, 'security-groups', 'security_group', {'name': who}, token)
        w[who + '_rule'] = _mk(api, 'security-group-rules', 'security_group_rule', {
            'security_group_id': w[who + '_sg']['id'], 'direction': 'ingress',
            'protocol': 'tcp', 'port_range_min': 22, 'port_range_max': 22}, token)
        w[who + '_fip'] = _mk(api, 'floatingips', 'floatingip',
                              {'floating_network_id': w['ext']['id']}, token)
    w['shared_port'] = _mk(api, 'ports', 'port', {'network_id': w['shared']['id']})
    # Bind the attacker's ports to a host, as compute would, so the agents' state has them.
    for port in (w['a_port'], w['shared_port']):
        api.ok('PUT', '/v2.0/ports/%s' % port['id'], {'port': {'binding:host_id': HOST}},
               token=admin)
    return w


def _snapshot(api, admin):
    out = {}
    for collection in ('networks', 'subnets', 'ports', 'routers', 'floatingips',
                       'security_groups', 'security_group_rules'):
        rows = api.ok('GET', '/v2.0/%s' % collection.replace('_', '-'), token=admin)[collection]
        out[collection] = {r['id']: {k: v for k, v in r.items()
                                     if k not in ('updated_at', 'revision_number', 'status')}
                           for r in rows}
    return out


def _expect(api, method, path, body, codes, token=None):
    code, answer = api.call(method, path, body, token=token)
    assert code in codes, (method, path, body, code, answer)
    assert code < 500
    return answer


def test_escalation_by_update_on_every_resource_type(api, world):
    w = world
    before = _snapshot(api, w['admin'])
    v = {k: w['v_' + k]['id'] for k in ('net', 'sub', 'port', 'router', 'sg', 'rule', 'fip')}
    a = {k: w['a_' + k]['id'] for k in ('net', 'sub', 'port', 'router', 'sg', 'rule', 'fip')}
    denied = (403, 404)
    cases = [
        # Others' resources do not exist for the attacker, whatever it asks.
        ('PUT', 'networks/%s' % v['net'], {'network': {'name': 'mine'}}, (404,)),
        ('PUT', 'networks/%s' % w['shared']['id'], {'network': {'name': 'mine'}}, denied),
        ('PUT', 'networks/%s' % w['ext']['id'], {'network': {'shared': True}}, denied),
        ('PUT', 'subnets/%s' % v['sub'], {'subnet': {'name': 'mine'}}, (404,)),
        ('PUT', 'subnets/%s' % w['shared_sub']['id'], {'subnet': {
            'dns_nameservers': ['10.60.0.53']}}, denied),
        ('PUT', 'ports/%s' % v['port'], {'port': {'name': 'mine'}}, (404,)),
        ('PUT', 'routers/%s' % v['router'], {'router': {'name': 'mine'}}, (404,)),
        ('PUT', 'security-groups/%s' % v['sg'], {'security_group': {'name': 'x'}}, (404,)),
        ('PUT', 'security-group-rules/%s' % v['rule'], {'security_group_rule': {
            'description': 'x'}}, (404,)),
        ('PUT', 'floatingips/%s' % v['fip'], {'floatingip': {'port_id': a['port']}}, (404,)),
        # Own resources cannot be lifted to what only an admin may make.
        ('PUT', 'networks/%s' % a['net'], {'network': {'shared': True}}, (403,)),
        ('PUT', 'networks/%s' % a['net'], {'network': {'router:external': True}}, (403,)),
        ('PUT', 'networks/%s' % a['net'], {'network': {'provider:network_type': 'flat',
                                                       'provider:physical_network': 'p'}},
         (403,)),
        ('PUT', 'networks/%s' % a['net'], {'network': {'tenant_id': 'other'}}, (400,)),
        ('PUT', 'subnets/%s' % a['sub'], {'subnet': {'network_id': v['net']}}, (400,)),
        ('PUT', 'ports/%s' % a['port'], {'port': {'binding:host_id': 'elsewhere'}}, (403,)),
        ('PUT', 'ports/%s' % a['port'], {'port': {'binding:profile': {'x': 1}}}, (403,)),
        ('PUT', 'ports/%s' % a['port'], {'port': {'mac_address': 'fa:16:3e:12:34:56'}},
         (403,)),
        ('PUT', 'ports/%s' % a['port'], {'port': {'tenant_id': 'other'}}, (400,)),
        ('PUT', 'ports/%s' % a['port'], {'port': {'network_id': v['net']}}, (400,)),
        ('PUT', 'ports/%s' % a['port'], {'port': {'security_groups': [v['sg']]}}, (404,)),
        ('PUT', 'ports/%s' % w['shared_port']['id'], {'port': {
            'device_owner': 'network:dhcp'}}, (403,)),
        ('PUT', 'ports/%s' % w['shared_port']['id'], {'port': {
            'fixed_ips': [{'ip_address': '10.60.0.1'}]}}, (403,)),
        ('PUT', 'routers/%s' % a['router'], {'router': {'external_gateway_info': {
            'network_id': w['ext']['id'], 'enable_snat': False}}}, (403,)),
        ('PUT', 'routers/%s' % a['router'], {'router': {'external_gateway_info': {
            'network_id': w['ext']['id'],
            'external_fixed_ips': [{'ip_address': '203.0.113.77'}]}}}, (403,)),
        ('PUT', 'routers/%s' % a['router'], {'router': {'external_gateway_info': {
            'network_id': v['net']}}}, (400, 404)),
        ('PUT', 'routers/%s' % a['router'], {'router': {'tenant_id': 'other'}}, (400,)),
        ('PUT', 'routers/%s/add_router_interface' % a['router'], {'subnet_id': v['sub']},
         (404,)),
        ('PUT', 'routers/%s/add_router_interface' % a['router'], {'port_id': v['port']},
         (404,)),
        ('PUT', 'routers/%s/add_router_interface' % v['router'], {'subnet_id': a['sub']},
         (404,)),
        ('PUT', 'floatingips/%s' % a['fip'], {'floatingip': {'port_id': v['port']}},
         (404,)),
        ('PUT', 'floatingips/%s' % a['fip'], {'floatingip': {'floating_ip_address':
                                                                '203.0.113.99'}}, (400,)),
        ('PUT', 'security-groups/%s' % a['sg'], {'security_group': {'tenant_id': 'other'}},
         (400,)),
        ('PUT', 'security-group-rules/%s' % a['rule'], {'security_group_rule': {
            'remote_ip_prefix': '0.0.0.0/0'}}, (400,)),
        ('POST', 'security-group-rules', {'security_group_rule': {
            'security_group_id': v['sg'], 'direction': 'ingress'}}, (404,)),
        ('POST', 'ports', {'port': {'network_id': v['net']}}, (404,)),
        ('POST', 'ports', {'port': {'network_id': w['ext']['id']}}, (403, 404)),
        ('POST', 'ports', {'port': {'network_id': w['shared']['id'],
                                    'device_owner': 'network:router_gateway'}}, (400, 403)),
        ('POST', 'subnets', {'subnet': {'network_id': w['shared']['id'],
                                        'cidr': '10.61.0.0/24'}}, denied),
        ('PUT', 'quotas/demo', {'quota': {'port': 100000}}, (403,)),
        ('DELETE', 'quotas/other', None, (403,)),
        ('PUT', 'agents/%s' % v['net'], {'agent': {'admin_state_up': False}}, (403,)),
        ('DELETE', 'networks/%s' % v['net'], None, (404,)),
        ('DELETE', 'ports/%s' % v['port'], None, (404,)),
        ('DELETE', 'security-groups/%s' % v['sg'], None, (404,)),
    ]
    for method, path, body, codes in cases:
        _expect(api, method, '/v2.0/' + path, body, codes)
    assert _snapshot(api, w['admin']) == before


def _host_files(api):
    """What the agents of HOST would write: iptables, ipset, ebtables, dnsmasq."""
    core = NetworkState.get(api.app_conf).core
    texts = []
    bridge = screen.screen_state(core.hoststate.get(HOST, rpcapi.AGENT_BRIDGE))
    assert bridge['ports'], 'the attacker\'s bound ports reach the bridge agent'
    for family in (4, 6):
        chains, _ = firewall.build(bridge['ports'], family, 'cs')
        texts.append(iptables.render('filter', chains, []))
        texts += ['%s %s' % (name, ' '.join(sorted(m))) for name, m in
                  firewall.remote_groups(bridge['ports'], family, 'cs').items()]
    chains, _ = ebtables_rules.build(bridge['ports'], 'cs')
    texts += [r for rules in chains.values() for r in rules]
    dhcp = screen.screen_state(core.hoststate.get(HOST, rpcapi.AGENT_DHCP))
    for net in dhcp['networks']:
        texts += [dnsmasq_config.hosts_file(net), dnsmasq_config.opts_file(net),
                  dnsmasq_config.addn_hosts_file(net, 'openstacklocal')]
    return texts


def test_injection_of_host_values_on_every_resource_type(api, world, network_conf_obj):
    w = world
    api.app_conf = network_conf_obj
    a_net, a_sub, a_sub6 = w['a_net']['id'], w['a_sub']['id'], w['a_sub6']['id']
    port, sg, router = w['a_port']['id'], w['a_sg']['id'], w['a_router']['id']
    cases = []
    for ip in BAD_IPS:
        cases += [
            ('POST', 'ports', {'port': {'network_id': a_net, 'fixed_ips': [
                {'ip_address': ip}]}}),
            ('PUT', 'ports/%s' % port, {'port': {'fixed_ips': [{'subnet_id': a_sub,
                                                                'ip_address': ip}]}}),
            ('PUT', 'ports/%s' % port, {'port': {'allowed_address_pairs': [
                {'ip_address': ip}]}}),
            ('PUT', 'subnets/%s' % a_sub, {'subnet': {'dns_nameservers': [ip]}}),
            ('PUT', 'subnets/%s' % a_sub, {'subnet': {'gateway_ip': ip}}),
            ('PUT', 'subnets/%s' % a_sub, {'subnet': {'host_routes': [
                {'destination': '10.99.0.0/16', 'nexthop': ip}]}}),
            ('PUT', 'subnets/%s' % a_sub, {'subnet': {'allocation_pools': [
                {'start': ip, 'end': '10.50.0.200'}]}}),
            ('PUT', 'routers/%s' % router, {'router': {'routes': [
                {'destination': '10.99.0.0/16', 'nexthop': ip}]}}),
            ('POST', 'floatingips', {'floatingip': {'floating_network_id': w['ext']['id'],
                                                    'floating_ip_address': ip}}),
            ('PUT', 'floatingips/%s' % w['a_fip']['id'], {'floatingip': {
                'port_id': port, 'fixed_ip_address': ip}}),
        ]
    for cidr in BAD_CIDRS:
        cases += [
            ('POST', 'security-group-rules', {'security_group_rule': {
                'security_group_id': sg, 'direction': 'ingress',
                'ethertype': 'IPv6' if ':' in str(cidr) else 'IPv4',
                'remote_ip_prefix': cidr}}),
            ('POST', 'subnets', {'subnet': {'network_id': a_net, 'cidr': cidr}}),
            ('PUT', 'subnets/%s' % a_sub, {'subnet': {'host_routes': [
                {'destination': cidr, 'nexthop': '10.50.0.1'}]}}),
            ('PUT', 'ports/%s' % port, {'port': {'allowed_address_pairs': [
                {'ip_address': cidr}]}}),
        ]
    for mac in BAD_MACS:
        cases += [
            ('POST', 'ports', {'port': {'network_id': a_net, 'mac_address': mac}}),
            ('PUT', 'ports/%s' % port, {'port': {'allowed_address_pairs': [
                {'ip_address': '10.50.0.99', 'mac_address': mac}]}}),
        ]
    for text in BAD_TEXT:
        cases += [
            ('POST', 'networks', {'network': {'name': text}}),
            ('PUT', 'ports/%s' % port, {'port': {'name': text}}),
            ('PUT', 'ports/%s' % port, {'port': {'device_owner': 'compute:' + text}}),
            ('PUT', 'ports/%s' % port, {'port': {'device_id': text}}),
            ('POST', 'security-groups', {'security_group': {'name': text}}),
            ('POST', 'routers', {'router': {'name': text}}),
            ('POST', 'security-group-rules', {'security_group_rule': {
                'security_group_id': sg, 'direction': 'ingress', 'protocol': 'tcp' + text}}),
        ]
    for method, path, body in cases:
        # Refused by validation, or first by policy (a member may not pick a floating IP).
        _expect(api, method, '/v2.0/' + path, body, (400, 403))
    # Good values in every spelling still work, and are stored in one.
    api.ok('PUT', '/v2.0/ports/%s' % port, {'port': {'allowed_address_pairs': [
        {'ip_address': 'FD50:0::99'}, {'ip_address': '10.50.0.96/28'}]}})
    api.ok('PUT', '/v2.0/subnets/%s' % a_sub6, {'subnet': {'dns_nameservers': ['FD50::53']}})
    api.ok('POST', '/v2.0/security-group-rules', {'security_group_rule': {
        'security_group_id': w['a_port']['security_groups'][0], 'direction': 'ingress',
        'ethertype': 'IPv6', 'remote_ip_prefix': 'FD50::1/64'}})
    texts = _host_files(api)
    joined = '\n'.join(texts)
    assert 'fd50::99' in joined and '10.50.0.96/28' in joined and 'fd50::/64' in joined
    assert '[fd50::53]' in joined
    for text in texts:
        assert '%' not in text and '-A INPUT' not in text and '\x1b' not in text
        assert not any(line != line.strip() for line in text.splitlines())


def _bodies(member):
    big = json.dumps({member: {'name': 'n' * 120000}}).encode()
    return [
        (big, (413,)),
        (b'[' * 20000 + b']' * 20000, (400,)),
        (json.dumps({member: {'name': '\ud800'}}).encode(), (400,)),
        (b'{"%s": {"name": NaN}}' % member.encode(), (400,)),
        (b'{"%s": ' % member.encode(), (400,)),
        (b'\xff\xfe', (400,)),
        (b'[]', (400,)),
        (b'"text"', (400,)),
        (json.dumps({member: 'not an object'}).encode(), (400,)),
        (json.dumps({member: {'name': 5}}).encode(), (400,)),
        (json.dumps({member: {'name': ['a']}}).encode(), (400,)),
        (json.dumps({member: {'unknown_attribute': 1}}).encode(), (400,)),
        (json.dumps({member: {}, 'other': {}}).encode(), (400,)),
        (json.dumps({member + 's': 'not a list'}).encode(), (400,)),
        (json.dumps({member + 's': [1, 2]}).encode(), (400,)),
    ]


def test_oversize_and_malformed_bodies_on_every_resource_type(api, world):
    w = world
    targets = [('networks', 'network', w['a_net']['id']),
               ('subnets', 'subnet', w['a_sub']['id']),
               ('ports', 'port', w['a_port']['id']),
               ('routers', 'router', w['a_router']['id']),
               ('floatingips', 'floatingip', w['a_fip']['id']),
               ('security-groups', 'security_group', w['a_sg']['id']),
               ('security-group-rules', 'security_group_rule', w['a_rule']['id'])]
    for path, member, item in targets:
        for raw, codes in _bodies(member):
            for method, url in (('POST', '/v2.0/%s' % path),
                                ('PUT', '/v2.0/%s/%s' % (path, item))):
                code, answer = api.call(method, url, raw=raw)
                assert code in codes, (method, url, raw[:60], code, answer)
    for url in ('/v2.0/routers/%s/add_router_interface' % w['a_router']['id'],
                '/v2.0/quotas/demo'):
        for raw, _codes in _bodies('x'):
            code, _answer = api.call('PUT', url, raw=raw)
            assert 400 <= code < 500, (url, raw[:60], code)
    # Query strings and paths are input too.
    for url in ('/v2.0/networks?limit=abc', '/v2.0/networks?limit=-1',
                '/v2.0/networks?sort_key=nope', '/v2.0/networks?sort_dir=sideways&sort_key=id',
                '/v2.0/ports?fixed_ips=bogus', '/v2.0/networks?marker=%ff',
                '/v2.0/networks?name=%ff%fe', '/v2.0/networks/%ff%fe',
                '/v2.0/networks?limit=' + '9' * 5000, '/v2.0/ports?fields=%00'):
        code, _answer = api.call('GET', url)
        assert code < 500, (url, code)
