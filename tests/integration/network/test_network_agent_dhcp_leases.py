"""A fixed IP given back to a new port: a deleted port's DHCP lease does not keep the
address from the new port's MAC (a server deleted and another booted with its address)."""
import os
import time

import pytest
from network_netns_helpers import dhcp_client, mac, new_id, sh

import network_agent_cloud as cloudlib
from network.agents.bridge import datapath as bridge_dp
from network.agents.common import bridge
from network.agents.dhcp import datapath as dhcp_dp

pytestmark = pytest.mark.integration


@pytest.fixture
def one_network(topo):
    """One project network with its DHCP port, the bridge and DHCP datapaths, no guest."""
    cloud = cloudlib.Cloud()
    project = cloud.add_project('10.97.1.0/24', floating=False)
    bdp = bridge_dp.BridgeDatapath({}, chain_prefix='c' + topo.suffix)
    ddp = dhcp_dp.DhcpDatapath(topo.tmp, {})

    def cleanup():
        bdp.converge({'networks': [], 'ports': []})
        ddp.disable(project.network['id'])
        bridge.delete('brq' + project.network['id'][:11])
    topo.cleanups.append(cleanup)
    return cloud, project, bdp, ddp


def _plug_guest(topo, project, role):
    guest = topo.namespace(role)
    topo.veth_into(project.vm_port['tap_name'], guest,
                   mac_address=project.vm_port['mac_address'])
    return guest


def _leases(ddp, project):
    path = os.path.join(ddp.state_dir, 'dhcp', project.network['id'], 'leases')
    with open(path) as handle:
        return handle.read()


@pytest.mark.parametrize('dhcp_release', [True, False], ids=['dhcp_release', 'restart'])
def test_same_ip_new_mac_gets_the_address_within_seconds(topo, one_network, monkeypatch,
                                                         dhcp_release):
    cloud, project, bdp, ddp = one_network
    if not dhcp_release:
        # A host without dnsmasq-utils: the agent prunes the lease file and restarts dnsmasq.
        monkeypatch.setattr(dhcp_dp, 'have_tool', lambda binary: False)
    elif not dhcp_dp.have_tool('dhcp_release'):
        pytest.skip('dhcp_release (dnsmasq-utils) is not installed')
    ip = project.vm_ip

    # Server A boots on port A and takes the address with MAC A.
    guest_a = _plug_guest(topo, project, 'ga')
    bdp.converge(cloud.bridge_state())
    ddp.converge(cloud.dhcp_state())
    lease = dhcp_client(topo, guest_a)
    assert lease is not None and lease['ip'] == ip
    mac_a = project.vm_port['mac_address']
    assert '%s %s ' % (mac_a, ip) in _leases(ddp, project)

    # Server A and its port are deleted (its dnsmasq lease would outlive it by a day)...
    sh('ip', 'link', 'delete', project.vm_port['tap_name'])
    network = cloud.dhcp_state()['networks'][0]
    network['ports'] = [p for p in network['ports'] if p['id'] != project.vm_port['id']]
    bdp.converge({'networks': [project.network], 'ports': []})
    ddp.converge({'networks': [network]})

    # ...and server B boots on a new port with the same fixed IP and MAC B.
    project.vm_port = dict(project.vm_port, id=new_id(), mac_address=mac())
    project.vm_port['tap_name'] = 'tap' + project.vm_port['id'][:11]
    guest_b = _plug_guest(topo, project, 'gb')
    bdp.converge(cloud.bridge_state())
    ddp.converge(cloud.dhcp_state())
    started = time.monotonic()
    lease = dhcp_client(topo, guest_b)
    took = time.monotonic() - started
    assert lease is not None, 'MAC B got no address: the old lease still holds %s' % ip
    assert lease['ip'] == ip
    assert took < 5, 'MAC B waited %.1f s for its address' % took
    leases = _leases(ddp, project)
    assert mac_a not in leases
    assert '%s %s ' % (project.vm_port['mac_address'], ip) in leases
