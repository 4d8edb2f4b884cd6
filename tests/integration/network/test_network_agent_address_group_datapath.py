"""A security group rule naming an address group, on the bridge agent's datapath between
namespaces: a TCP connection from an address in the group gets through, one from an
address outside it does not, and changing the group's addresses changes which."""
import pytest
from network_netns_helpers import connect, listen, mac, new_id

from network.agents.bridge import datapath as bridge_dp
from network.agents.common import bridge

pytestmark = pytest.mark.integration
GROUP = new_id()


def _port(net_id, tap, ip, rules=None):
    return {'id': new_id(), 'mac_address': mac(), 'network_id': net_id,
            'fixed_ips': [{'subnet_id': new_id(), 'ip_address': ip}],
            'device_owner': 'compute:nova', 'device_id': new_id(), 'admin_state_up': True,
            'port_security_enabled': rules is not None, 'allowed_address_pairs': [],
            'security_group_ids': [new_id()] if rules is not None else [],
            'security_group_rules': rules or [], 'tap_name': tap, 'qos': None}


def _rules(group_cidrs):
    egress = {'direction': 'egress', 'ethertype': 'IPv4', 'protocol': None,
              'port_range_min': None, 'port_range_max': None, 'remote_ip_prefix': None,
              'remote_group_id': None, 'remote_ips': []}
    ssh = {'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'tcp',
           'port_range_min': 2222, 'port_range_max': 2222, 'remote_ip_prefix': None,
           'remote_group_id': None, 'remote_address_group_id': GROUP,
           'remote_ips': list(group_cidrs)}
    return [egress, ssh]


def test_address_group_rule_allows_members_only(topo):
    net_id = new_id()
    guest, inside, outside = (topo.namespace(r) for r in ('ag', 'ai', 'ao'))
    taps = ['tap%s%s' % (c, topo.suffix) for c in 'gio']
    ports = [_port(net_id, taps[0], '10.98.0.5', _rules(['10.98.0.6/32'])),
             _port(net_id, taps[1], '10.98.0.6'), _port(net_id, taps[2], '10.98.0.7')]
    for port, tap, ns in zip(ports, taps, (guest, inside, outside)):
        ip = port['fixed_ips'][0]['ip_address']
        topo.veth_into(tap, ns, mac_address=port['mac_address'], cidr=ip + '/24')
    network = {'id': net_id, 'network_type': 'local', 'physical_network': None,
               'segmentation_id': None, 'mtu': 1500}
    bdp = bridge_dp.BridgeDatapath({}, chain_prefix='a' + topo.suffix)

    def cleanup():
        bdp.converge({'networks': [], 'ports': []})
        bdp.teardown()
        bridge.delete('brq' + net_id[:11])
    topo.cleanups.append(cleanup)

    def converge():
        statuses = bdp.converge({'networks': [network], 'ports': ports})
        assert set(statuses.values()) == {'ACTIVE'} and not bdp.failed

    converge()
    listen(topo, guest, 2222)
    assert connect(inside, '10.98.0.5', 2222)
    assert not connect(outside, '10.98.0.5', 2222)
    # the group changes (as after `address group set/unset`): the agent's next state
    ports[0]['security_group_rules'] = _rules(['10.98.0.7/32'])
    converge()
    assert connect(outside, '10.98.0.5', 2222)
    assert not connect(inside, '10.98.0.5', 2222)
    # a CIDR member covers its addresses
    ports[0]['security_group_rules'] = _rules(['10.98.0.0/29'])
    converge()
    assert connect(inside, '10.98.0.5', 2222) and connect(outside, '10.98.0.5', 2222)
