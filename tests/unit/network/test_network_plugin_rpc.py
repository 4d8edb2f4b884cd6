"""The agent RPC contract over the fake transport: heartbeats, host state, port status,
and the fanout casts agents get when resources change."""
import queue

import pytest

from common import context
from common import rpc
from network import plugin_rpc
from network import rpcapi
from network.state import NetworkState

pytestmark = pytest.mark.timeout(60)


class _AgentEndpoint:
    def __init__(self):
        self.casts = queue.Queue()

    def resources_changed(self, ctx, kind, ids):
        self.casts.put((kind, ids))


@pytest.fixture
def rpc_env(api, network_conf_obj):
    core = NetworkState.get(network_conf_obj).core
    server = plugin_rpc.make_service(core, 'server-host', executor='threading')
    server.start()
    agent = _AgentEndpoint()
    agent_server = rpc.get_rpc_server(core.transport, rpcapi.agent_topic(rpcapi.AGENT_BRIDGE),
                                      'h1', [agent], exchange=rpcapi.EXCHANGE)
    agent_server.start()
    client = rpcapi.PluginApi(rpc.get_transport(network_conf_obj.transport_url), timeout=10)
    yield api, client, agent
    for srv in (agent_server, server):
        srv.stop()
        srv.wait()


def _drain(agent, kind, timeout=5):
    while True:
        got = agent.casts.get(timeout=timeout)
        if got[0] == kind:
            return got


def test_bridge_agent_binding_state_and_status(rpc_env):
    api, client, agent = rpc_env
    ctx = context.RequestContext.admin_context()
    admin = api.tokens.admin()
    report = client.report_state(ctx, {'binary': 'network-bridge-agent', 'host': 'h1',
                                       'agent_type': rpcapi.AGENT_BRIDGE,
                                       'topic': 'network-agent-bridge',
                                       'configurations': {'bridge_mappings': {}}})
    assert report['alive'] is True
    agents = api.ok('GET', '/v2.0/agents?alive=true', token=admin)['agents']
    assert [(a['host'], a['agent_type'], a['alive']) for a in agents] == \
        [('h1', rpcapi.AGENT_BRIDGE, True)]
    net = api.ok('POST', '/v2.0/networks', {'network': {}})['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                'cidr': '10.0.0.0/24'}})
    web = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                                   'binding:host_id': 'h1',
                                                   'project_id': 'demo'}},
                 token=admin)['port']
    assert web['binding:vif_type'] == 'bridge'
    assert _drain(agent, 'port')[1] == [web['id']]
    other = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})['port']
    # a rule stored as the client spelled it reaches the agent by its canonical name
    default = api.ok('GET', '/v2.0/security-groups?name=default')['security_groups'][0]
    api.ok('POST', '/v2.0/security-group-rules', {'security_group_rule': {
        'security_group_id': default['id'], 'direction': 'ingress', 'ethertype': 'IPv6',
        'protocol': 'ipv6-icmp'}})
    state = client.get_host_state(ctx, 'h1', rpcapi.AGENT_BRIDGE)
    assert [r['protocol'] for r in state['ports'][0]['security_group_rules']
            if r['ethertype'] == 'IPv6' and r['direction'] == 'ingress'
            and r['remote_group_id'] is None] == ['icmpv6']
    assert [n['id'] for n in state['networks']] == [net['id']]
    assert state['networks'][0]['network_type'] == 'local'
    (port,) = state['ports']
    assert port['tap_name'] == 'tap' + web['id'][:11]
    ingress = [r for r in port['security_group_rules']
               if r['direction'] == 'ingress' and r['ethertype'] == 'IPv4']
    # default group: ingress from members, both ports are members
    assert sorted(ingress[0]['remote_ips']) == sorted(
        [web['fixed_ips'][0]['ip_address'], other['fixed_ips'][0]['ip_address']])
    assert client.update_port_status(ctx, web['id'], 'ACTIVE', 'h1') is True
    assert api.ok('GET', '/v2.0/ports/%s' % web['id'])['port']['status'] == 'ACTIVE'
    assert client.update_port_status(ctx, 'no-such-port', 'ACTIVE', 'h1') is False
    with pytest.raises(rpc.RemoteError):
        client.update_port_status(ctx, web['id'], 'SLEEPING', 'h1')
    with pytest.raises(rpc.RemoteError):
        client.get_host_state(ctx, 'h1', 'Toaster agent')


def test_dhcp_and_l3_state(rpc_env):
    api, client, _agent = rpc_env
    ctx = context.RequestContext.admin_context()
    admin = api.tokens.admin()
    net = api.ok('POST', '/v2.0/networks', {'network': {}})['network']
    sub = api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                      'cidr': '10.0.0.0/24'}})['subnet']
    first = client.get_host_state(ctx, 'h1', rpcapi.AGENT_DHCP)
    (info,) = first['networks']
    assert info['subnets'][0]['id'] == sub['id']
    dhcp_port = info['dhcp_port']
    assert dhcp_port['fixed_ips'][0]['subnet_id'] == sub['id']
    again = client.get_host_state(ctx, 'h1', rpcapi.AGENT_DHCP)
    assert again['networks'][0]['dhcp_port']['id'] == dhcp_port['id']  # kept, not remade
    # the DHCP port does not block deleting the network later
    ext = api.ok('POST', '/v2.0/networks', {'network': {'router:external': True}},
                 token=admin)['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': ext['id'],
                                                'cidr': '198.51.100.0/24',
                                                'enable_dhcp': False}}, token=admin)
    router = api.ok('POST', '/v2.0/routers', {'router': {
        'external_gateway_info': {'network_id': ext['id']}}})['router']
    api.ok('PUT', '/v2.0/routers/%s/add_router_interface' % router['id'],
           {'subnet_id': sub['id']})
    vm = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                                  'device_owner': 'compute:nova',
                                                  'device_id': 'vm-1'}})['port']
    fip = api.ok('POST', '/v2.0/floatingips', {'floatingip': {
        'floating_network_id': ext['id'], 'port_id': vm['id']}})['floatingip']
    l3 = client.get_host_state(ctx, 'h1', rpcapi.AGENT_L3)
    (r,) = l3['routers']
    assert r['gw_port']['network']['id'] == ext['id']
    assert r['interfaces'][0]['subnets'][0]['cidr'] == '10.0.0.0/24'
    assert r['floating_ips'] == [{'id': fip['id'], 'port_id': vm['id'],
                                  'floating_ip_address': fip['floating_ip_address'],
                                  'fixed_ip_address': vm['fixed_ips'][0]['ip_address'],
                                  'port_forwardings': []}]
    assert r['metering_labels'] == []
    assert [n['id'] for n in l3['external_networks']] == [ext['id']]
    found = client.get_ports_by_ip(ctx, net['id'], vm['fixed_ips'][0]['ip_address'])
    assert found[0]['device_id'] == 'vm-1' and found[0]['project_id'] == 'demo'
