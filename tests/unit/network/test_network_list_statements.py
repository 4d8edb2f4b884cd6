"""Scale: every list API of the network service runs the same number of SQL statements
whatever the number of rows it returns (never one query per row)."""
import pytest

from common.testing import sqlcount

pytestmark = pytest.mark.timeout(300)

LISTS = ['networks', 'subnets', 'ports', 'routers', 'floatingips', 'security-groups',
         'security-group-rules', 'subnetpools', 'address-scopes', 'rbac-policies',
         'qos/policies', 'network-ip-availabilities', 'quotas', 'networks?fields=id',
         'ports?device_owner=network:router_interface', 'networks?tags=t1',
         'ports?limit=50', 'security-groups?fields=id&fields=security_group_rules']


class Grower:
    """Adds, per step, one of each kind of resource (owned by demo where a member can make
    it), so every list grows by at least one row per step."""

    def __init__(self, api):
        self.api, self.admin, self.step = api, api.tokens.admin(), 0
        ext = api.ok('POST', '/v2.0/networks', {'network': {
            'name': 'ext', 'router:external': True}}, token=self.admin)['network']
        api.ok('POST', '/v2.0/subnets', {'subnet': {
            'network_id': ext['id'], 'cidr': '198.18.0.0/16'}}, token=self.admin)
        self.ext = ext['id']
        api.ok('PUT', '/v2.0/quotas/demo', {'quota': {name: -1 for name in (
            'network', 'subnet', 'port', 'router', 'floatingip', 'security_group',
            'security_group_rule', 'rbac_policy')}}, token=self.admin)

    def grow(self, steps):
        api = self.api
        for _ in range(steps):
            self.step += 1
            i = self.step
            net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'n%d' % i}})['network']
            api.ok('PUT', '/v2.0/networks/%s/tags/t1' % net['id'], status=201)
            sub = api.ok('POST', '/v2.0/subnets', {'subnet': {
                'network_id': net['id'], 'cidr': '10.%d.%d.0/24' % (i // 250, i % 250)}})
            api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})
            router = api.ok('POST', '/v2.0/routers', {'router': {
                'name': 'r%d' % i, 'external_gateway_info': {'network_id': self.ext}}})
            api.ok('PUT', '/v2.0/routers/%s/add_router_interface' % router['router']['id'],
                   {'subnet_id': sub['subnet']['id']})
            api.ok('POST', '/v2.0/floatingips', {'floatingip': {
                'floating_network_id': self.ext}})
            sg = api.ok('POST', '/v2.0/security-groups', {'security_group': {
                'name': 'sg%d' % i}})['security_group']
            api.ok('POST', '/v2.0/security-group-rules', {'security_group_rule': {
                'security_group_id': sg['id'], 'direction': 'ingress', 'protocol': 'tcp',
                'port_range_min': 22, 'port_range_max': 22}})
            api.ok('POST', '/v2.0/subnetpools', {'subnetpool': {
                'name': 'sp%d' % i, 'prefixes': ['100.%d.0.0/16' % i],
                'default_prefixlen': 24}})
            api.ok('POST', '/v2.0/address-scopes', {'address_scope': {
                'name': 'as%d' % i, 'ip_version': 4}})
            api.ok('POST', '/v2.0/rbac-policies', {'rbac_policy': {
                'object_type': 'network', 'object_id': net['id'],
                'action': 'access_as_shared', 'target_tenant': 'p%d' % i}})
            api.ok('POST', '/v2.0/qos/policies', {'policy': {'name': 'q%d' % i}},
                   token=self.admin)
            api.ok('PUT', '/v2.0/quotas/p%d' % i, {'quota': {'port': 10}}, token=self.admin)

    def statements(self):
        """Statements per list request, as demo and as admin."""
        counts = {}
        for who, token in (('demo', None), ('admin', self.admin)):
            for path in LISTS:
                if path.startswith(('quotas', 'network-ip')) and who == 'demo':
                    continue
                counts[(who, path)] = sqlcount.statements_per_request(
                    lambda: self.api.ok('GET', '/v2.0/' + path, token=token))
        return counts


def test_list_statements_do_not_grow_with_rows(api):
    grower = Grower(api)
    grower.grow(2)
    small = grower.statements()
    grower.grow(6)
    large = grower.statements()
    grown = {key: (small[key], large[key]) for key in small if large[key] > small[key]}
    assert not grown, 'statements per list grew with the rows (before, after): %s' % grown


def test_port_create_does_not_read_every_allocation_of_a_sparse_subnet(api):
    """Scale: a new port's address comes from a few primary-key probes, not from reading
    every address already allocated in the subnet."""
    net = api.ok('POST', '/v2.0/networks', {'network': {}})['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                'cidr': '10.200.0.0/16'}})
    addresses = set()
    for _ in range(30):
        with sqlcount.counting() as counter:
            port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})['port']
        scans = [s for s in counter.statements
                 if 'FROM ip_allocations' in s and 'ip_allocations.subnet_id =' in s]
        assert not scans, scans
        addresses.add(port['fixed_ips'][0]['ip_address'])
    assert len(addresses) == 30


def test_a_nearly_full_subnet_still_hands_out_its_last_addresses(api):
    net = api.ok('POST', '/v2.0/networks', {'network': {}})['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                'cidr': '10.201.0.0/29'}})
    got = {api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})['port'][
        'fixed_ips'][0]['ip_address'] for _ in range(5)}   # .2-.6: .1 is the gateway
    assert got == {'10.201.0.%d' % i for i in range(2, 7)}
    code, body = api.call('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})
    assert code == 409 and body['NeutronError']['type'] == 'IpAddressGenerationFailure'
