"""Bad input walk, tenant isolation, routers, floating IPs, security groups, quotas."""
import re

import pytest

pytestmark = pytest.mark.timeout(60)


def _counts(api, token):
    return {c: len(api.ok('GET', '/v2.0/%s' % c, token=token)[c.replace('-', '_')])
            for c in ('networks', 'subnets', 'ports', 'routers', 'floatingips')}


def test_bad_input_walk_answers_4xx_and_writes_nothing(api):
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'n'}})['network']
    sub = api.ok('POST', '/v2.0/subnets', {'subnet': {
        'network_id': net['id'], 'cidr': '10.0.0.0/24', 'ip_version': 4}})['subnet']
    other = api.ok('POST', '/v2.0/networks', {'network': {'name': 'foreign'}},
                   token=api.tokens.token('other'))['network']
    before = _counts(api, api.default)
    cases = [
        ('/v2.0/subnets', {'subnet': {'network_id': net['id'], 'cidr': '10.1.0.1/24'}},
         400, 'InvalidInput', '10.1.0.0/24'),
        ('/v2.0/subnets', {'subnet': {'network_id': net['id'], 'cidr': '10.0.0.128/25'}},
         400, 'InvalidInput', 'overlaps'),
        ('/v2.0/subnets', {'subnet': {'network_id': net['id'], 'cidr': 'banana'}},
         400, 'InvalidInput', 'banana'),
        ('/v2.0/subnets', {'subnet': {'network_id': net['id'], 'cidr': '10.2.0.0/24',
                                      'ip_version': 6}}, 400, 'InvalidInput', 'ip_version'),
        ('/v2.0/subnets', {'subnet': {'network_id': net['id'], 'cidr': '10.3.0.0/24',
                                      'allocation_pools': [
                                          {'start': '10.3.0.10', 'end': '10.3.0.20'},
                                          {'start': '10.3.0.15', 'end': '10.3.0.30'}]}},
         409, 'OverlappingAllocationPools', 'overlapping'),
        ('/v2.0/subnets', {'subnet': {'network_id': net['id'], 'cidr': '10.4.0.0/24',
                                      'allocation_pools': [
                                          {'start': '10.4.0.10', 'end': '10.5.0.20'}]}},
         400, 'OutOfBoundsAllocationPool', 'beyond'),
        ('/v2.0/subnets', {'subnet': {'network_id': net['id'], 'cidr': '10.6.0.0/24',
                                      'gateway_ip': '10.6.0.5', 'allocation_pools': [
                                          {'start': '10.6.0.2', 'end': '10.6.0.9'}]}},
         409, 'GatewayConflictWithAllocationPools', '10.6.0.5'),
        ('/v2.0/subnets', {'subnet': {'network_id': net['id'], 'cidr': '10.7.0.0/24',
                                      'gateway_ip': '192.168.0.1'}},
         400, 'InvalidInput', 'not inside'),
        ('/v2.0/subnets', {'subnet': {'network_id': other['id'], 'cidr': '10.8.0.0/24'}},
         404, 'NetworkNotFound', other['id']),
        ('/v2.0/ports', {'port': {'network_id': net['id'],
                                  'fixed_ips': [{'ip_address': '172.16.0.5'}]}},
         400, 'InvalidIpForNetwork', '172.16.0.5'),
        ('/v2.0/ports', {'port': {'network_id': net['id'], 'fixed_ips': [
            {'subnet_id': sub['id'], 'ip_address': '10.9.0.5'}]}},
         400, 'InvalidIpForSubnet', '10.9.0.5'),
        ('/v2.0/ports', {'port': {'network_id': other['id']}}, 404, 'NetworkNotFound', ''),
        ('/v2.0/ports', {'port': {'network_id': net['id'], 'mac_address': 'zz'}},
         400, 'InvalidInput', 'mac_address'),
        ('/v2.0/ports', {'port': {'network_id': net['id'], 'colour': 'red'}},
         400, 'BadRequest', 'colour'),
        ('/v2.0/networks', {'network': {'mtu': 9000}}, 400, 'InvalidInput', 'MTU'),
        ('/v2.0/networks', {'network': {'admin_state_up': 'yes'}}, 400, 'BadRequest',
         'admin_state_up'),
        ('/v2.0/routers', {'router': {'external_gateway_info': {
            'network_id': net['id']}}}, 400, 'InvalidInput', 'external network'),
    ]
    for path, body, code, err_type, words in cases:
        status, answer = api.call('POST', path, body)
        assert status == code, (body, status, answer)
        assert answer['NeutronError']['type'] == err_type, (body, answer)
        assert words in answer['NeutronError']['message'], (body, answer)
    status, answer = api.call('POST', '/v2.0/networks', raw=b'{not json')
    assert status == 400
    # One good port takes .50; asking for it again is a conflict.
    api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                            'fixed_ips': [{'ip_address': '10.0.0.50'}]}})
    status, answer = api.call('POST', '/v2.0/ports', {'port': {
        'network_id': net['id'], 'fixed_ips': [{'ip_address': '10.0.0.50'}]}})
    assert status == 409 and answer['NeutronError']['type'] == 'IpAddressAlreadyAllocated'
    after = _counts(api, api.default)
    before['ports'] += 1
    assert after == before


def test_tenant_isolation(api):
    alice, bob = api.tokens.token('alice'), api.tokens.token('bob')
    admin = api.tokens.admin()
    private = api.ok('POST', '/v2.0/networks', {'network': {'name': 'a'}}, token=alice)
    private = private['network']
    shared = api.ok('POST', '/v2.0/networks', {'network': {'name': 's', 'shared': True,
                                                           'project_id': 'alice'}},
                    token=admin)['network']
    for net in (private, shared):
        api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                    'cidr': '10.0.0.0/24'}}, token=alice)
    assert [n['id'] for n in api.ok('GET', '/v2.0/networks', token=bob)['networks']] == \
        [shared['id']]
    assert api.call('GET', '/v2.0/networks/%s' % private['id'], token=bob)[0] == 404
    assert api.call('PUT', '/v2.0/networks/%s' % private['id'],
                    {'network': {'name': 'x'}}, token=bob)[0] == 404
    assert api.call('DELETE', '/v2.0/networks/%s' % shared['id'], token=bob)[0] == 403
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': shared['id']}}, token=bob)
    assert port['port']['project_id'] == 'bob'
    assert api.call('POST', '/v2.0/ports', {'port': {'network_id': private['id']}},
                    token=bob)[0] == 404
    code, _ = api.call('POST', '/v2.0/subnets', {'subnet': {
        'network_id': shared['id'], 'cidr': '10.1.0.0/24'}}, token=bob)
    assert code == 403
    assert api.call('POST', '/v2.0/networks', {'network': {'project_id': 'alice'}},
                    token=bob)[0] == 403
    assert api.call('GET', '/v2.0/ports/%s' % port['port']['id'], token=api.default)[0] == 404
    # agents are admin-only: a member lists none (as Neutron answers) and may not show one
    assert api.ok('GET', '/v2.0/agents', token=bob)['agents'] == []
    sgs = api.ok('GET', '/v2.0/security-groups', token=bob)['security_groups']
    assert [g['name'] for g in sgs] == ['default'] and sgs[0]['project_id'] == 'bob'


def _external(api, admin):
    ext = api.ok('POST', '/v2.0/networks', {'network': {
        'name': 'public', 'router:external': True}}, token=admin)['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {
        'network_id': ext['id'], 'cidr': '203.0.113.0/24', 'enable_dhcp': False}},
        token=admin)
    return ext


def test_router_interfaces_floating_ips_and_routes(api):
    admin = api.tokens.admin()
    ext = _external(api, admin)
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'n'}})['network']
    sub = api.ok('POST', '/v2.0/subnets', {'subnet': {
        'network_id': net['id'], 'cidr': '10.0.0.0/24'}})['subnet']
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})['port']
    fip = api.ok('POST', '/v2.0/floatingips', {'floatingip': {
        'floating_network_id': ext['id']}})['floatingip']
    assert fip['floating_ip_address'].startswith('203.0.113.') and fip['status'] == 'DOWN'
    code, body = api.call('PUT', '/v2.0/floatingips/%s' % fip['id'],
                          {'floatingip': {'port_id': port['id']}})
    assert code == 404 and body['NeutronError']['type'] == \
        'ExternalGatewayForFloatingIPNotFound'
    router = api.ok('POST', '/v2.0/routers', {'router': {
        'name': 'r', 'external_gateway_info': {'network_id': ext['id']}}})['router']
    gw = router['external_gateway_info']
    assert gw['network_id'] == ext['id'] and gw['enable_snat'] is True
    assert gw['external_fixed_ips'][0]['ip_address'].startswith('203.0.113.')
    info = api.ok('PUT', '/v2.0/routers/%s/add_router_interface' % router['id'],
                  {'subnet_id': sub['id']})
    assert info['subnet_id'] == sub['id']
    iface = api.ok('GET', '/v2.0/ports/%s' % info['port_id'])['port']
    assert iface['fixed_ips'][0]['ip_address'] == '10.0.0.1'
    assert iface['device_owner'] == 'network:router_interface'
    assert api.call('PUT', '/v2.0/routers/%s/add_router_interface' % router['id'],
                    {'subnet_id': sub['id']})[0] == 400
    assert api.call('PUT', '/v2.0/routers/%s/add_router_interface' % router['id'],
                    {'subnet_id': sub['id'], 'port_id': port['id']})[0] == 400
    assert api.call('DELETE', '/v2.0/ports/%s' % info['port_id'])[0] == 409
    fip = api.ok('PUT', '/v2.0/floatingips/%s' % fip['id'],
                 {'floatingip': {'port_id': port['id']}})['floatingip']
    assert fip['fixed_ip_address'] == port['fixed_ips'][0]['ip_address']
    assert fip['router_id'] == router['id'] and fip['status'] == 'ACTIVE'
    code, body = api.call('PUT', '/v2.0/routers/%s' % router['id'], {'router': {
        'routes': [{'destination': '172.16.0.0/16', 'nexthop': '192.168.9.9'}]}})
    assert code == 400 and 'nexthop' in body['NeutronError']['message']
    routed = api.ok('PUT', '/v2.0/routers/%s' % router['id'], {'router': {
        'routes': [{'destination': '172.16.0.0/16', 'nexthop': '10.0.0.9'}]}})['router']
    assert routed['routes'] == [{'destination': '172.16.0.0/16', 'nexthop': '10.0.0.9'}]
    code, body = api.call('PUT', '/v2.0/routers/%s/remove_router_interface' % router['id'],
                          {'subnet_id': sub['id']})
    assert code == 409 and body['NeutronError']['type'] == 'RouterInterfaceInUseByFloatingIP'
    assert api.call('DELETE', '/v2.0/routers/%s' % router['id'])[0] == 409
    api.ok('PUT', '/v2.0/floatingips/%s' % fip['id'], {'floatingip': {'port_id': None}})
    api.ok('PUT', '/v2.0/routers/%s' % router['id'], {'router': {'routes': []}})
    api.ok('PUT', '/v2.0/routers/%s/remove_router_interface' % router['id'],
           {'subnet_id': sub['id']})
    api.ok('DELETE', '/v2.0/floatingips/%s' % fip['id'])
    api.ok('DELETE', '/v2.0/routers/%s' % router['id'])
    ext_ports = api.ok('GET', '/v2.0/ports?network_id=%s' % ext['id'], token=admin)['ports']
    assert ext_ports == []


def test_deleting_an_external_network_deletes_its_floating_ips(api):
    admin = api.tokens.admin()
    ext = api.ok('POST', '/v2.0/networks', {'network': {
        'name': 'ext', 'router:external': True}}, token=admin)['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': ext['id'],
                                                'cidr': '198.51.100.0/24'}}, token=admin)
    fip = api.ok('POST', '/v2.0/floatingips', {'floatingip': {
        'floating_network_id': ext['id']}})['floatingip']
    api.ok('DELETE', '/v2.0/networks/%s' % ext['id'], token=admin)
    assert api.call('GET', '/v2.0/floatingips/%s' % fip['id'])[0] == 404
    assert api.ok('GET', '/v2.0/ports', token=admin)['ports'] == []
    # a network some other port still uses stays
    net = api.ok('POST', '/v2.0/networks', {'network': {}})['network']
    api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})
    assert api.call('DELETE', '/v2.0/networks/%s' % net['id'])[0] == 409


def test_security_groups_and_rules(api):
    sg = api.ok('POST', '/v2.0/security-groups', {'security_group': {'name': 'web'}})
    sg = sg['security_group']
    assert {r['direction'] for r in sg['security_group_rules']} == {'egress'}
    rule = {'security_group_id': sg['id'], 'direction': 'ingress', 'protocol': 'tcp',
            'port_range_min': 80, 'port_range_max': 80, 'remote_ip_prefix': '0.0.0.0/0'}
    created = api.ok('POST', '/v2.0/security-group-rules', {'security_group_rule': rule})
    assert created['security_group_rule']['ethertype'] == 'IPv4'
    # timestamps in whole seconds: the create answer equals every later show
    shown = api.ok('GET', '/v2.0/security-group-rules/%s' % created['security_group_rule']['id'])
    assert shown['security_group_rule']['created_at'] == \
        created['security_group_rule']['created_at']
    assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ',
                        created['security_group_rule']['created_at'])
    code, body = api.call('POST', '/v2.0/security-group-rules', {'security_group_rule': rule})
    assert code == 409 and body['NeutronError']['type'] == 'SecurityGroupRuleExists'
    bad = [dict(rule, port_range_min=90, port_range_max=80),
           dict(rule, protocol='bogus'), dict(rule, protocol=None),
           dict(rule, remote_ip_prefix='::/0'),
           dict(rule, protocol='icmp', port_range_min=300, port_range_max=None),
           dict(rule, remote_group_id=sg['id'])]
    for body in bad:
        assert api.call('POST', '/v2.0/security-group-rules',
                        {'security_group_rule': body})[0] == 400, body
    six = api.ok('POST', '/v2.0/security-group-rules', {'security_group_rule': {
        'security_group_id': sg['id'], 'direction': 'ingress', 'protocol': '58',
        'ethertype': 'IPv6'}})['security_group_rule']
    # echoed as given (Neutron does; tempest compares), meant as ICMPv6
    assert six['protocol'] == '58'
    udp = api.ok('POST', '/v2.0/security-group-rules', {'security_group_rule': dict(
        rule, protocol='17', port_range_min=53, port_range_max=53)})['security_group_rule']
    assert udp['protocol'] == '17'
    code, body = api.call('POST', '/v2.0/security-group-rules', {'security_group_rule': dict(
        rule, protocol='udp', port_range_min=53, port_range_max=53)})
    assert code == 409 and body['NeutronError']['type'] == 'SecurityGroupRuleExists'
    code, body = api.call('POST', '/v2.0/security-group-rules', {'security_group_rule': dict(
        rule, port_range_min=None, port_range_max=6)})
    assert code == 400
    assert 'port_range_min must be <= port_range_max' in body['NeutronError']['message']
    code, body = api.call('POST', '/v2.0/security-group-rules', {'security_group_rule': dict(
        rule, protocol='icmp', port_range_min=None, port_range_max=6)})
    assert code == 400
    assert 'ICMP type (port-range-min) is missing' in body['NeutronError']['message']
    other = api.ok('POST', '/v2.0/security-groups',
                   {'security_group': {'name': 'other'}})['security_group']
    assert api.call('PUT', '/v2.0/security-groups/' + other['id'],
                    {'security_group': {'name': 'default'}})[0] == 409
    net = api.ok('POST', '/v2.0/networks', {'network': {}})['network']
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                                    'security_groups': [sg['id']]}})['port']
    code, body = api.call('DELETE', '/v2.0/security-groups/%s' % sg['id'])
    assert code == 409 and body['NeutronError']['type'] == 'SecurityGroupInUse'
    default = [g for g in api.ok('GET', '/v2.0/security-groups')['security_groups']
               if g['name'] == 'default'][0]
    remote = [r for r in default['security_group_rules'] if r['direction'] == 'ingress']
    assert {r['ethertype'] for r in remote} == {'IPv4', 'IPv6'}
    assert all(r['remote_group_id'] == default['id'] for r in remote)
    code, body = api.call('DELETE', '/v2.0/security-groups/%s' % default['id'])
    assert code == 409 and body['NeutronError']['type'] == 'SecurityGroupCannotRemoveDefault'
    api.ok('PUT', '/v2.0/ports/%s' % port['id'], {'port': {'security_groups': []}})
    api.ok('DELETE', '/v2.0/security-groups/%s' % sg['id'])


def test_quotas_enforced_and_managed(api):
    admin = api.tokens.admin()
    assert api.call('PUT', '/v2.0/quotas/demo', {'quota': {'network': 2}})[0] == 403
    assert api.ok('PUT', '/v2.0/quotas/demo', {'quota': {'network': 2}},
                  token=admin)['quota']['network'] == 2
    assert api.call('PUT', '/v2.0/quotas/demo', {'quota': {'network': 'many'}},
                    token=admin)[0] == 400
    api.ok('POST', '/v2.0/networks', {'network': {}})
    api.ok('POST', '/v2.0/networks', {'network': {}})
    code, body = api.call('POST', '/v2.0/networks', {'network': {}})
    assert code == 409 and body['NeutronError']['type'] == 'OverQuota'
    assert api.ok('GET', '/v2.0/quotas/demo')['quota']['network'] == 2
    details = api.ok('GET', '/v2.0/quotas/demo/details.json')['quota']
    assert details['network'] == {'limit': 2, 'used': 2, 'reserved': 0}
    assert [q['project_id'] for q in api.ok('GET', '/v2.0/quotas', token=admin)['quotas']] \
        == ['demo']
    api.ok('DELETE', '/v2.0/quotas/demo', token=admin)
    assert api.ok('GET', '/v2.0/quotas/demo')['quota']['network'] == 100


def test_quota_set_as_the_openstack_client_sends_it(api):
    """``openstack quota set --ports -1`` sends ``force: true``; ``--no-force`` sends
    ``check_limit: true``, and then a limit below what is in use is refused unchanged."""
    admin = api.tokens.admin()
    assert api.ok('PUT', '/v2.0/quotas/demo', {'quota': {'port': -1, 'force': True}},
                  token=admin)['quota']['port'] == -1
    api.ok('POST', '/v2.0/networks', {'network': {}})
    api.ok('POST', '/v2.0/networks', {'network': {}})
    code, body = api.call('PUT', '/v2.0/quotas/demo',
                          {'quota': {'network': 1, 'port': 7, 'check_limit': True}}, token=admin)
    assert code == 400 and 'network' in body['NeutronError']['message'], body
    after = api.ok('GET', '/v2.0/quotas/demo')['quota']
    assert after['network'] == 100 and after['port'] == -1       # nothing half-written
    assert api.ok('PUT', '/v2.0/quotas/demo', {'quota': {'network': 2, 'check_limit': True}},
                  token=admin)['quota']['network'] == 2
    # Without check_limit the admin may set a limit below usage (Neutron's force).
    assert api.ok('PUT', '/v2.0/quotas/demo', {'quota': {'network': 1}},
                  token=admin)['quota']['network'] == 1
    assert api.call('PUT', '/v2.0/quotas/demo', {'quota': {'check_limit': 'yes'}},
                    token=admin)[0] == 400
    assert api.call('PUT', '/v2.0/quotas/demo',
                    {'quota': {'force': True, 'check_limit': True}}, token=admin)[0] == 400
    # Subnet pools and RBAC policies have quotas too, as in Neutron.
    quota = api.ok('GET', '/v2.0/quotas/demo')['quota']
    assert quota['subnetpool'] == -1 and quota['rbac_policy'] == 10
    api.ok('PUT', '/v2.0/quotas/demo', {'quota': {'subnetpool': 0}}, token=admin)
    code, body = api.call('POST', '/v2.0/subnetpools',
                          {'subnetpool': {'name': 'p', 'prefixes': ['10.90.0.0/16'],
                                          'default_prefixlen': 24}})
    assert code == 409 and body['NeutronError']['type'] == 'OverQuota'
