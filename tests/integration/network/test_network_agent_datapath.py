"""The three datapaths driven with server-shaped state: DHCP, routing, SNAT, floating IPs,
tenant isolation and security groups, seen from guest and outside namespaces."""
import os
import time

import pytest
from network_netns_helpers import connect, dhcp_client, listen, ping, sh

import network_agent_cloud as cloudlib
from network.agents.bridge import datapath as bridge_dp
from network.agents.common import bridge
from network.agents.dhcp import datapath as dhcp_dp
from network.agents.l3 import datapath as l3_dp
from network.agents.metadata import launcher

pytestmark = pytest.mark.integration


@pytest.fixture
def world(topo):
    """Two projects with the same tenant CIDR, one external network, all datapaths up."""
    cloud = cloudlib.Cloud()
    uplink = 'xo' + topo.suffix
    outside = topo.namespace('out')
    topo.veth_into(uplink, outside, cidr='198.51.100.1/24')
    mappings = {'physext': uplink}
    bdp = bridge_dp.BridgeDatapath(mappings, chain_prefix='c' + topo.suffix)
    proxies = launcher.ProxyLauncher(topo.tmp, os.path.join(topo.tmp, 'metadata.sock'))
    ddp = dhcp_dp.DhcpDatapath(topo.tmp, mappings, proxies)
    ldp = l3_dp.L3Datapath(topo.tmp, mappings, proxies)
    guests = []
    for index in range(2):
        project = cloud.add_project('10.97.1.0/24', floating=(index == 0))
        guest = topo.namespace('g%d' % len(guests))
        topo.veth_into(project.vm_port['tap_name'], guest,
                       mac_address=project.vm_port['mac_address'])
        guests.append(guest)

    def cleanup():
        bdp.converge({'networks': [], 'ports': []})
        for p in cloud.projects:
            ddp.disable(p.network['id'])
            ldp.disable(p.router_id)
        for net in [cloud.ext_network] + [p.network for p in cloud.projects]:
            bridge.delete('brq' + net['id'][:11])
    topo.cleanups.append(cleanup)
    statuses = bdp.converge(cloud.bridge_state())
    ddp.converge(cloud.dhcp_state())
    ldp.converge(cloud.l3_state())
    return cloud, bdp, guests, outside, statuses


def test_guest_dhcp_routing_nat_isolation_and_security_groups(topo, world):
    cloud, bdp, guests, outside, statuses = world
    p0, p1 = cloud.projects
    assert statuses == {p0.vm_port['id']: 'ACTIVE', p1.vm_port['id']: 'ACTIVE'}

    # DHCP: each guest gets its own port's address and the metadata route.
    for project, guest in zip(cloud.projects, guests):
        lease = dhcp_client(topo, guest)
        assert lease is not None, 'no DHCP lease in %s' % guest
        assert lease['ip'] == project.vm_ip
        assert lease['mtu'] == '1500'
        assert '169.254.169.254/32 10.97.1.2' in lease['staticroutes']
        assert '0.0.0.0/0 10.97.1.1' in lease['staticroutes']
        assert ping(guest, '10.97.1.1'), 'guest cannot ping its gateway'

    # Outbound: a guest with a floating IP leaves as that address, one without it is
    # SNATed to its router's gateway address.
    snat_listener = listen(topo, outside, 8080)
    assert connect(guests[0], '198.51.100.1', 8080)
    assert snat_listener.stdout.readline().strip() == p0.floating_ip
    assert connect(guests[1], '198.51.100.1', 8080)
    assert snat_listener.stdout.readline().strip() == str(p1.gw_port['fixed_ips'][0]['ip_address'])

    # Isolation: same CIDR, separate networks; project 0 cannot reach project 1's guest.
    assert not ping(guests[0], p1.vm_ip)
    assert sh('ip', 'neigh', 'show', p1.vm_ip, ns=guests[0]).stdout.find(
        p1.vm_port['mac_address']) == -1

    # Security groups: inbound TCP 22 to the floating IP is dropped by the default group...
    listen(topo, guests[0], 22)
    assert not connect(outside, p0.floating_ip, 22, timeout=1.5)
    # ...allowed once a rule permits it (and arrives from the outside's own address)...
    p0.extra_rules = [cloudlib.tcp_rule(22)]
    bdp.converge(cloud.bridge_state())
    assert connect(outside, p0.floating_ip, 22)
    # ...and dropped again within 5 s of the rule's removal.
    p0.extra_rules = []
    started = time.monotonic()
    bdp.converge(cloud.bridge_state())
    while connect(outside, p0.floating_ip, 22, timeout=0.5):
        assert time.monotonic() - started < 5, 'removed rule still lets traffic in'
    # Without a floating IP, the other project's guest is not reachable from outside.
    listen(topo, guests[1], 22)
    assert not connect(outside, p1.gw_port['fixed_ips'][0]['ip_address'], 22, timeout=1.0)


def test_anti_spoofing_drops_foreign_source_address(topo, world):
    cloud, _bdp, guests, outside, _ = world
    p0 = cloud.projects[0]
    lease = dhcp_client(topo, guests[0])
    assert lease and lease['ip'] == p0.vm_ip
    assert ping(guests[0], '10.97.1.1')
    # Take another address in the subnet: its packets must not leave the tap.
    sh('ip', 'addr', 'flush', 'dev', 'eth0', ns=guests[0])
    sh('ip', 'addr', 'add', '10.97.1.99/24', 'dev', 'eth0', ns=guests[0])
    assert not ping(guests[0], '10.97.1.1')
    # A port without port security is not filtered at all.
    p0.vm_port['port_security_enabled'] = False
    _bdp.converge(cloud.bridge_state())
    assert ping(guests[0], '10.97.1.1', count=3), sh('ebtables', '-L').stdout
