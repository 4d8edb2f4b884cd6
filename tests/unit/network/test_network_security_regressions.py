"""Regressions of issue 16's network findings, as a member attacker would try them.

Finding 9: IPv6 addresses with a scope suffix (``fd77::1%<anything>``, newlines included)
and MACs with a trailing newline were stored and written into iptables-restore input and
dnsmasq files; one address could be held twice (``fd77::20`` and ``fd77::20%a``).
Policy on update: a member turned its port on a shared network into a DHCP port (which
the firewall leaves unfiltered) with a plain PUT.
"""
import pytest

pytestmark = pytest.mark.timeout(60)

SCOPED = 'fd77::20%a\n-A cs-sg -j ACCEPT'


def _v6_net(api, token=None, **extra):
    net = api.ok('POST', '/v2.0/networks', {'network': dict(name='v6', **extra)},
                 token=token)['network']
    sub = api.ok('POST', '/v2.0/subnets', {'subnet': {
        'network_id': net['id'], 'cidr': 'fd77::/64', 'ip_version': 6,
        'ipv6_address_mode': 'dhcpv6-stateful', 'ipv6_ra_mode': 'dhcpv6-stateful'}},
        token=token)['subnet']
    return net, sub


def _refused(api, method, path, body, field):
    code, answer = api.call(method, path, body)
    assert code == 400, (body, code, answer)
    assert answer['NeutronError']['type'] == 'InvalidInput', answer
    assert field in answer['NeutronError']['message'], answer
    # The value is quoted escaped, never raw: no newline reaches the client either.
    assert '\n' not in answer['NeutronError']['message'], answer


def test_scoped_ipv6_addresses_are_refused_in_every_field_that_reaches_the_host(api):
    net, sub = _v6_net(api)
    sg = api.ok('POST', '/v2.0/security-groups',
                {'security_group': {'name': 'sg'}})['security_group']
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})['port']
    router = api.ok('POST', '/v2.0/routers', {'router': {'name': 'r'}})['router']
    cases = [
        ('POST', '/v2.0/security-group-rules', {'security_group_rule': {
            'security_group_id': sg['id'], 'direction': 'ingress', 'ethertype': 'IPv6',
            'remote_ip_prefix': 'fd77::%1\n-A cs-sg -j ACCEPT/64'}}, 'remote_ip_prefix'),
        ('POST', '/v2.0/security-group-rules', {'security_group_rule': {
            'security_group_id': sg['id'], 'direction': 'ingress', 'ethertype': 'IPv6',
            'remote_ip_prefix': 'fd77::/64\n'}}, 'remote_ip_prefix'),
        ('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                          'fixed_ips': [{'ip_address': SCOPED}]}},
         'fixed_ips'),
        ('PUT', '/v2.0/ports/%s' % port['id'], {'port': {
            'allowed_address_pairs': [{'ip_address': SCOPED}]}}, 'allowed_address_pairs'),
        ('PUT', '/v2.0/ports/%s' % port['id'], {'port': {
            'allowed_address_pairs': [{'ip_address': 'fd77::/64%x'}]}},
         'allowed_address_pairs'),
        ('PUT', '/v2.0/subnets/%s' % sub['id'], {'subnet': {
            'dns_nameservers': ['fd77::1%x\ndhcp-option=option6:dns-server,[::1]']}},
         'dns_nameservers'),
        ('PUT', '/v2.0/subnets/%s' % sub['id'], {'subnet': {
            'host_routes': [{'destination': '::/0', 'nexthop': 'fd77::1%eth0'}]}},
         'host_routes'),
        ('PUT', '/v2.0/subnets/%s' % sub['id'], {'subnet': {'gateway_ip': 'fd77::1%1'}},
         'gateway_ip'),
        ('PUT', '/v2.0/subnets/%s' % sub['id'], {'subnet': {
            'allocation_pools': [{'start': 'fd77::10%1', 'end': 'fd77::20'}]}},
         'allocation_pools'),
        ('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'], 'ip_version': 6,
                                              'cidr': 'fd78::%1/64'}}, 'cidr'),
        ('PUT', '/v2.0/routers/%s' % router['id'], {'router': {
            'routes': [{'destination': 'fd79::/64', 'nexthop': 'fd77::5%1'}]}},
         'nexthop'),
    ]
    for method, path, body, field in cases:
        _refused(api, method, path, body, field)
    subnet = api.ok('GET', '/v2.0/subnets/%s' % sub['id'])['subnet']
    assert subnet['dns_nameservers'] == [] and subnet['gateway_ip'] == 'fd77::1'


def test_one_address_has_exactly_one_spelling(api):
    net, sub = _v6_net(api)
    api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                            'fixed_ips': [{'ip_address': 'fd77::20'}]}})
    _refused(api, 'POST', '/v2.0/ports', {'port': {
        'network_id': net['id'], 'fixed_ips': [{'ip_address': 'fd77::20%a'}]}}, 'fixed_ips')
    code, answer = api.call('POST', '/v2.0/ports', {'port': {
        'network_id': net['id'], 'fixed_ips': [{'ip_address': 'FD77:0:0::20'}]}})
    assert code == 409 and answer['NeutronError']['type'] == 'IpAddressAlreadyAllocated'
    other = api.ok('POST', '/v2.0/ports', {'port': {
        'network_id': net['id'], 'fixed_ips': [{'ip_address': 'FD77::0021'}]}})['port']
    assert other['fixed_ips'] == [{'subnet_id': sub['id'], 'ip_address': 'fd77::21'}]
    held = [ip['ip_address'] for p in api.ok('GET', '/v2.0/ports')['ports']
            for ip in p['fixed_ips']]
    assert held.count('fd77::20') == 1 and not any('%' in ip for ip in held)


def test_mac_addresses_are_matched_whole_in_neutrons_spellings(api):
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'm'}})['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                'cidr': '10.5.0.0/24'}})
    for bad in ('fa:16:3e:00:00:01\n', 'fa:16:3e:00:00:01\n10.5.0.9', ' fa:16:3e:00:00:01',
                '00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', 'fa:16:3e:00:00'):
        _refused(api, 'POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                                       'mac_address': bad}}, 'mac_address')
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})['port']
    _refused(api, 'PUT', '/v2.0/ports/%s' % port['id'], {'port': {
        'allowed_address_pairs': [{'ip_address': '10.5.0.99',
                                   'mac_address': 'fa:16:3e:00:00:09\n'}]}}, 'mac_address')
    # What Neutron accepts is accepted (multicast included), stored in one spelling.
    for given, stored in (('11:22:33:44:55:66', '11:22:33:44:55:66'),
                          ('FA-16-3E-00-00-02', 'fa:16:3e:00:00:02'),
                          ('fa16.3e00.0003', 'fa:16:3e:00:00:03')):
        made = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                                       'mac_address': given}})['port']
        assert made['mac_address'] == stored
    code, answer = api.call('POST', '/v2.0/ports', {'port': {
        'network_id': net['id'], 'mac_address': 'FA:16:3E:00:00:02'}})
    assert code == 409 and answer['NeutronError']['type'] == 'MacAddressInUse'


def test_names_and_descriptions_refuse_control_characters(api):
    for body in ({'network': {'name': 'evil\x1b]0;owned\x07'}},
                 {'network': {'name': 'two\nlines'}},
                 {'network': {'description': 'bell\x07'}}):
        code, answer = api.call('POST', '/v2.0/networks', body)
        assert code == 400, (body, answer)
    made = api.ok('POST', '/v2.0/networks', {'network': {
        'name': 'réseau ✓', 'description': 'line one\nline two\ttabbed'}})['network']
    assert made['description'] == 'line one\nline two\ttabbed'


def test_a_member_cannot_turn_its_port_into_a_network_port(api):
    admin = api.tokens.admin()
    shared = api.ok('POST', '/v2.0/networks', {'network': {'name': 'shared',
                                                           'shared': True}},
                    token=admin)['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': shared['id'],
                                                'cidr': '10.6.0.0/24'}}, token=admin)
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': shared['id'],
                                                   'device_owner': 'compute:nova'}})['port']
    for owner in ('network:dhcp', 'network:router_interface', 'network:anything'):
        code, answer = api.call('PUT', '/v2.0/ports/%s' % port['id'],
                                {'port': {'device_owner': owner}})
        assert code == 403, (owner, code, answer)
        code, answer = api.call('POST', '/v2.0/ports', {'port': {
            'network_id': shared['id'], 'device_owner': owner}})
        assert code in (400, 403), (owner, code, answer)
    assert api.ok('GET', '/v2.0/ports/%s' % port['id'])['port']['device_owner'] == \
        'compute:nova'
    # Neither binding, nor ownership, nor the network's sharing move by update.
    for body, code in (({'port': {'binding:host_id': 'elsewhere'}}, 403),
                       ({'port': {'tenant_id': 'admin'}}, 400),
                       ({'port': {'project_id': 'admin'}}, 400)):
        assert api.call('PUT', '/v2.0/ports/%s' % port['id'], body)[0] == code, body
    own = api.ok('POST', '/v2.0/networks', {'network': {'name': 'own'}})['network']
    for body in ({'network': {'shared': True}}, {'network': {'router:external': True}},
                 {'network': {'provider:network_type': 'flat'}}):
        assert api.call('PUT', '/v2.0/networks/%s' % own['id'], body)[0] == 403, body
    # On its own network a project may run its own network devices, as in Neutron.
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': own['id'],
                                                'cidr': '10.7.0.0/24'}})
    mine = api.ok('POST', '/v2.0/ports', {'port': {'network_id': own['id']}})['port']
    api.ok('PUT', '/v2.0/ports/%s' % mine['id'], {'port': {'device_owner': 'network:dhcp'}})


def test_an_external_network_that_is_not_shared_keeps_its_subnets_to_itself(api):
    # Finding 10 made devstack's public network external and not shared: projects see the
    # network (to route to it) but, as in Neutron (tempest's external network visibility
    # test), not its subnets, and cannot put ports on it.
    admin = api.tokens.admin()
    public = api.ok('POST', '/v2.0/networks', {'network': {
        'name': 'public', 'router:external': True}}, token=admin)['network']
    sub = api.ok('POST', '/v2.0/subnets', {'subnet': {
        'network_id': public['id'], 'cidr': '203.0.113.0/24'}}, token=admin)['subnet']
    seen = api.ok('GET', '/v2.0/networks?router:external=True')['networks']
    assert [n['id'] for n in seen] == [public['id']] and seen[0]['shared'] is False
    assert api.ok('GET', '/v2.0/subnets?network_id=%s' % public['id'])['subnets'] == []
    assert api.call('GET', '/v2.0/subnets/%s' % sub['id'])[0] == 404
    assert api.call('POST', '/v2.0/ports', {'port': {'network_id': public['id']}})[0] in (
        403, 404)
    api.ok('PUT', '/v2.0/networks/%s' % public['id'], {'network': {'shared': True}},
           token=admin)
    assert [s['id'] for s in api.ok('GET', '/v2.0/subnets?network_id=%s'
                                    % public['id'])['subnets']] == [sub['id']]


def test_a_project_reader_reads_but_never_writes(api):
    """Issue 14 (access matrix): a reader of the owning project may list and show, but
    every create, update and delete is refused with 403 and changes nothing."""
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'mine'}})['network']
    reader = api.tokens.token('demo', roles=('reader',))
    assert api.call('GET', '/v2.0/networks/%s' % net['id'], token=reader)[0] == 200
    writes = [
        ('POST', '/v2.0/networks', {'network': {'name': 'r'}}),
        ('PUT', '/v2.0/networks/%s' % net['id'], {'network': {'name': 'changed'}}),
        ('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'], 'ip_version': 4,
                                              'cidr': '10.77.0.0/24'}}),
        ('POST', '/v2.0/ports', {'port': {'network_id': net['id']}}),
        ('POST', '/v2.0/routers', {'router': {'name': 'r'}}),
        ('POST', '/v2.0/security-groups', {'security_group': {'name': 'r'}}),
        ('DELETE', '/v2.0/networks/%s' % net['id'], None),
    ]
    for method, path, body in writes:
        code, answer = api.call(method, path, body, token=reader)
        assert code == 403, (method, path, code, answer)
    assert api.ok('GET', '/v2.0/networks/%s' % net['id'])['network']['name'] == 'mine'
    assert api.ok('GET', '/v2.0/ports')['ports'] == []
