"""The L3 agent's port forwarding and metering data path in real namespaces: a TCP port of
a floating IP reaches a guest's port from an "outside" namespace only while the
forwarding exists, and a metering label's counters grow with the traffic."""
import pytest
from network_netns_helpers import connect, listen, new_id, sh

import network_agent_cloud as cloudlib
from network.agents.bridge import datapath as bridge_dp
from network.agents.common import bridge
from network.agents.l3 import datapath as l3_dp

pytestmark = pytest.mark.integration


@pytest.fixture
def pf_world(topo):
    """One project whose guest (10.97.1.10, TCP 22 open in its security group) sits behind
    a router on the external network 198.51.100.0/24; the outside is 198.51.100.1."""
    cloud = cloudlib.Cloud()
    uplink = 'xo' + topo.suffix
    outside = topo.namespace('out')
    topo.veth_into(uplink, outside, cidr='198.51.100.1/24')
    mappings = {'physext': uplink}
    bdp = bridge_dp.BridgeDatapath(mappings, chain_prefix='c' + topo.suffix)
    ldp = l3_dp.L3Datapath(topo.tmp, mappings)
    project = cloud.add_project('10.97.1.0/24', floating=False)
    project.extra_rules = [cloudlib.tcp_rule(22)]
    guest = topo.namespace('g')
    topo.veth_into(project.vm_port['tap_name'], guest,
                   mac_address=project.vm_port['mac_address'],
                   cidr=project.vm_ip + '/24', gateway='10.97.1.1')

    def cleanup():
        bdp.converge({'networks': [], 'ports': []})
        ldp.disable(project.router_id)
        for net in (cloud.ext_network, project.network):
            bridge.delete('brq' + net['id'][:11])
    topo.cleanups.append(cleanup)
    bdp.converge(cloud.bridge_state())
    return cloud, project, ldp, guest, outside


def _router(cloud, project, forwardings=(), labels=()):
    state = cloud.l3_state()
    router = state['routers'][0]
    router['floating_ips'] = [{
        'id': new_id(), 'floating_ip_address': '198.51.100.40', 'fixed_ip_address': None,
        'port_id': None, 'port_forwardings': [
            dict(pf, id=new_id(), internal_ip_address=project.vm_ip) for pf in forwardings]}]
    router['metering_labels'] = list(labels)
    return state


def test_port_forwarding_reaches_guest_only_while_it_exists(topo, pf_world):
    cloud, project, ldp, guest, outside = pf_world
    listen(topo, guest, 22)
    forward = {'protocol': 'tcp', 'internal_port': 22, 'external_port': 2222}
    ldp.converge(_router(cloud, project, [forward]))
    assert not ldp.failed
    assert connect(outside, '198.51.100.40', 2222)
    # Only the forwarded port: the floating IP's port 22 is not the guest's.
    assert not connect(outside, '198.51.100.40', 22, timeout=1.0)
    nat = sh('iptables', '-t', 'nat', '-S', 'cs-PREROUTING',
             ns=l3_dp.ns_name(project.router_id)).stdout
    assert ('-d 198.51.100.40/32 -p tcp -m tcp --dport 2222 -j DNAT --to-destination '
            '%s:22' % project.vm_ip) in nat
    # Deleted: the port is closed again (and the floating IP has no other use).
    ldp.converge(_router(cloud, project, []))
    assert not connect(outside, '198.51.100.40', 2222, timeout=1.0)


def test_metering_counters_grow_with_traffic(topo, pf_world):
    cloud, project, ldp, guest, outside = pf_world
    listen(topo, guest, 22)
    label = {'id': new_id(), 'rules': [
        {'id': new_id(), 'direction': 'ingress', 'remote_ip_prefix': '198.51.100.0/24',
         'source_ip_prefix': None, 'destination_ip_prefix': None, 'excluded': False}]}
    other = {'id': new_id(), 'rules': [
        {'id': new_id(), 'direction': 'ingress', 'remote_ip_prefix': '203.0.113.0/24',
         'source_ip_prefix': None, 'destination_ip_prefix': None, 'excluded': False}]}
    forward = {'protocol': 'tcp', 'internal_port': 22, 'external_port': 2222}
    state = _router(cloud, project, [forward], [label, other])
    ldp.converge(state)
    ldp.read_counters().take()          # start from zero
    assert connect(outside, '198.51.100.40', 2222)
    first = {i['label_id']: i for i in ldp.read_counters().take()}
    assert first[label['id']]['packets'] >= 3 and first[label['id']]['bytes'] > 100
    assert first[label['id']]['router_id'] == project.router_id
    assert other['id'] not in first     # traffic from elsewhere only
    # A resync rewrites the chains: what was counted before it is kept, not lost.
    for _ in range(3):
        assert connect(outside, '198.51.100.40', 2222)
    ldp.converge(state)
    second = {i['label_id']: i for i in ldp.read_counters().take()}
    assert second[label['id']]['packets'] >= 9
