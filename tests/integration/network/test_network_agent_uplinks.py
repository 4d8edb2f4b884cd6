"""Bridge uplinks: flat networks enslave the mapped interface, vlan networks a sub-interface;
the bridge agent's create_missing_taps plugs a fresh tap and reports it ACTIVE."""
import pytest
from network_netns_helpers import sh

import network_agent_cloud as cloudlib
from network.agents.bridge import datapath as bridge_dp
from network.agents.common import bridge
from network.agents.common import ip_lib

pytestmark = pytest.mark.integration


def _vlan_supported(topo):
    probe = 'vp' + topo.suffix
    sh('ip', 'link', 'add', probe, 'type', 'veth', 'peer', 'name', probe + 'b')
    topo.links.append(probe)
    ok = sh('ip', 'link', 'add', 'link', probe, 'name', probe + '.9', 'type', 'vlan', 'id', 9,
            check=False).returncode == 0
    sh('ip', 'link', 'delete', probe + '.9', check=False)
    return ok


def _network(kind, segmentation_id=None):
    return {'id': cloudlib.new_id(), 'network_type': kind, 'physical_network': 'phys',
            'segmentation_id': segmentation_id, 'mtu': 1500}


def _tap_port(network):
    sub = cloudlib.subnet('10.97.5.0/24', '10.97.5.1')
    port = cloudlib.port(network, sub, '10.97.5.7')
    port['tap_name'] = 'tap' + port['id'][:11]
    port['security_group_rules'] = []
    return port


def test_flat_uplink_and_created_tap(topo):
    uplink = 'up' + topo.suffix
    sh('ip', 'link', 'add', uplink, 'type', 'veth', 'peer', 'name', uplink + 'b')
    topo.links.append(uplink)
    net = _network('flat')
    port = _tap_port(net)
    dp = bridge_dp.BridgeDatapath({'phys': uplink}, chain_prefix='c' + topo.suffix,
                                  create_missing_taps=True)
    topo.links.append(port['tap_name'])
    topo.cleanups.append(lambda: (dp.teardown(), bridge.delete('brq' + net['id'][:11])))
    assert dp.converge({'networks': [net], 'ports': [port]}) == {port['id']: 'ACTIVE'}
    members = bridge.interfaces('brq' + net['id'][:11])
    assert members == sorted([uplink, port['tap_name']])
    # Once the network is gone, the bridge goes and the uplink is released.
    dp.converge({'networks': [], 'ports': []})
    ip_lib.delete_link(port['tap_name'])
    dp.converge({'networks': [], 'ports': []})
    assert not bridge.exists('brq' + net['id'][:11])
    assert ip_lib.master_of(uplink) is None


def test_vlan_uplink_is_a_sub_interface(topo):
    if not _vlan_supported(topo):
        pytest.skip('this kernel has no 802.1Q (vlan) link type')
    uplink = 'up' + topo.suffix
    sh('ip', 'link', 'add', uplink, 'type', 'veth', 'peer', 'name', uplink + 'b')
    topo.links.append(uplink)
    net = _network('vlan', 123)
    dp = bridge_dp.BridgeDatapath({'phys': uplink}, chain_prefix='c' + topo.suffix)
    topo.cleanups.append(lambda: (bridge.delete('brq' + net['id'][:11]),
                                  ip_lib.delete_link(uplink + '.123')))
    dp.converge({'networks': [net], 'ports': []})
    assert bridge.interfaces('brq' + net['id'][:11]) == [uplink + '.123']
    dp.converge({'networks': [], 'ports': []})
    assert not ip_lib.link_exists(uplink + '.123')
