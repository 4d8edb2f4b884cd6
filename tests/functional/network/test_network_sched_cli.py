"""Address groups, agent scheduling, availability zones, auto-allocated topology and
trunk details with the stock `openstack` client against a real network-api (agents
report over the daemon's RabbitMQ, as the real ones do)."""
import os
import sys

import pytest

from common import context
from common import rpc
from network import rpcapi

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from network_api_helpers import AMQP  # noqa: E402
from test_network_extensions_cli import cli, token_source  # noqa: E402,F401

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def agents():
    """``agents(type, host)``: report an agent; ``agents.state(host, type)``."""
    transport = rpc.get_transport(AMQP)
    client = rpcapi.PluginApi(transport, timeout=30)
    ctx = context.RequestContext.admin_context()

    def report(agent_type, host):
        client.report_state(ctx, {
            'binary': 'network-%s-agent' % rpcapi.AGENT_SHORT[agent_type], 'host': host,
            'agent_type': agent_type, 'topic': rpcapi.agent_topic(agent_type),
            'availability_zone': 'nova', 'configurations': {}})
    report.state = lambda host, agent_type: client.get_host_state(ctx, host, agent_type)
    yield report
    transport.cleanup()


def test_address_groups_with_the_openstack_client(cli):
    group = cli('address', 'group', 'create', '--address', '10.0.0.1', '--address',
                '10.1.0.7/16', 'ag1', '-f', 'json')
    assert sorted(group['addresses']) == ['10.0.0.1/32', '10.1.0.0/16']
    cli('address', 'group', 'set', '--address', '192.0.2.0/24', 'ag1')
    cli('address', 'group', 'unset', '--address', '10.0.0.1', 'ag1')
    shown = cli('address', 'group', 'show', 'ag1', '-f', 'json')
    assert sorted(shown['addresses']) == ['10.1.0.0/16', '192.0.2.0/24']
    err = cli('address', 'group', 'set', '--address', '10.0.0.0/33', 'ag1', ok=False)
    assert '10.0.0.0/33' in err
    cli('security', 'group', 'create', 'sg1', '-f', 'json')
    rule = cli('security', 'group', 'rule', 'create', '--remote-address-group', 'ag1',
               '--protocol', 'tcp', '--dst-port', '22', 'sg1', '-f', 'json')
    assert rule['remote_address_group_id'] == group['id']
    assert 'in use' in cli('address', 'group', 'delete', 'ag1', ok=False)
    cli('security', 'group', 'rule', 'delete', rule['id'])
    cli('address', 'group', 'delete', 'ag1')
    assert cli('address', 'group', 'list', '-f', 'json') == []


def test_agent_scheduling_and_zones_with_the_openstack_client(cli, agents):
    agents(rpcapi.AGENT_DHCP, 'node1')
    agents(rpcapi.AGENT_L3, 'node1')
    listed = cli('network', 'agent', 'list', '-f', 'json', user='admin')
    dhcp = [a['ID'] for a in listed if a['Agent Type'] == rpcapi.AGENT_DHCP][0]
    l3 = [a['ID'] for a in listed if a['Agent Type'] == rpcapi.AGENT_L3][0]
    cli('network', 'create', 'n1', '-f', 'json')
    cli('subnet', 'create', 'n1-sub', '--network', 'n1', '--subnet-range', '10.30.0.0/24')

    def on(kind, name):
        return [a['ID'] for a in cli('network', 'agent', 'list', '--' + kind, name, '-f',
                                     'json', user='admin')]

    def served(agent_type, key):
        return [item['id'] for item in agents.state('node1', agent_type)[key]]
    net_id = cli('network', 'show', 'n1', '-f', 'json')['id']
    assert on('network', 'n1') == [dhcp]
    assert served(rpcapi.AGENT_DHCP, 'networks') == [net_id]
    cli('network', 'agent', 'remove', 'network', '--dhcp', dhcp, 'n1', user='admin')
    assert on('network', 'n1') == [] and served(rpcapi.AGENT_DHCP, 'networks') == []
    cli('network', 'agent', 'add', 'network', '--dhcp', dhcp, 'n1', user='admin')
    assert on('network', 'n1') == [dhcp]
    assert served(rpcapi.AGENT_DHCP, 'networks') == [net_id]
    # a member may not
    cli('network', 'agent', 'remove', 'network', '--dhcp', dhcp, 'n1', ok=False)

    router = cli('router', 'create', 'r1', '-f', 'json')
    assert served(rpcapi.AGENT_L3, 'routers') == [router['id']]
    assert on('router', 'r1') == [l3]
    cli('network', 'agent', 'remove', 'router', '--l3', l3, 'r1', user='admin')
    assert on('router', 'r1') == [] and served(rpcapi.AGENT_L3, 'routers') == []
    cli('network', 'agent', 'add', 'router', '--l3', l3, 'r1', user='admin')
    assert on('router', 'r1') == [l3]
    assert cli('router', 'show', 'r1', '-f', 'json')['availability_zones'] == ['nova']

    zones = cli('availability', 'zone', 'list', '--network', '-f', 'json')
    assert {(z['Zone Name'], z['Zone Status']) for z in zones} == {('nova', 'available')}
    hinted = cli('network', 'create', 'n2', '--availability-zone-hint', 'nova', '-f', 'json')
    assert hinted['availability_zone_hints'] == ['nova']
    err = cli('network', 'create', 'n3', '--availability-zone-hint', 'elsewhere', ok=False)
    assert 'elsewhere' in err


def test_auto_allocated_topology_and_trunk_details_with_the_openstack_client(cli):
    cli('network', 'create', 'public', '--external', '--default', user='admin')
    cli('subnet', 'create', 'public-sub', '--network', 'public', '--subnet-range',
        '198.51.100.0/24', '--no-dhcp', user='admin')
    err = cli('network', 'auto', 'allocated', 'topology', 'create', '--check-resources',
              ok=False)
    assert 'subnetpool' in err
    cli('subnet', 'pool', 'create', 'default-v4', '--pool-prefix', '10.100.0.0/16',
        '--default-prefix-length', '26', '--default', '--share', user='admin')
    # the check now passes (the client shows no field of Neutron's 'dry-run=pass')
    cli('network', 'auto', 'allocated', 'topology', 'create', '--check-resources')
    assert cli('network', 'list', '--name', 'auto_allocated_network', '-f', 'json') == []
    topo = cli('network', 'auto', 'allocated', 'topology', 'create', '-f', 'json')
    again = cli('network', 'auto', 'allocated', 'topology', 'create', '-f', 'json')
    assert topo['id'] == again['id']
    net = cli('network', 'show', topo['id'], '-f', 'json')
    assert net['name'] == 'auto_allocated_network' and len(net['subnets']) == 1
    routers = cli('router', 'list', '-f', 'json')
    assert [r['Name'] for r in routers] == ['auto_allocated_router']
    cli('network', 'auto', 'allocated', 'topology', 'delete')
    assert cli('router', 'list', '-f', 'json') == []
    assert 'auto_allocated_network' not in [n['Name'] for n in cli('network', 'list', '-f',
                                                                   'json')]
    # trunk details on the parent port
    cli('network', 'create', 'tn', '-f', 'json')
    cli('subnet', 'create', 'tn-sub', '--network', 'tn', '--subnet-range', '10.31.0.0/24')
    cli('port', 'create', 'parent', '--network', 'tn')
    sub = cli('port', 'create', 'child', '--network', 'tn', '-f', 'json')
    trunk = cli('network', 'trunk', 'create', '--parent-port', 'parent', '--subport',
                'port=child,segmentation-type=vlan,segmentation-id=100', 't1', '-f', 'json')
    details = cli('port', 'show', 'parent', '-f', 'json')['trunk_details']
    assert details == {'trunk_id': trunk['id'], 'sub_ports': [{
        'port_id': sub['id'], 'segmentation_type': 'vlan', 'segmentation_id': 100,
        'mac_address': sub['mac_address']}]}
