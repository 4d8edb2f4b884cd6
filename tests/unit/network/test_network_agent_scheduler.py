"""dhcp_agent_scheduler and l3_agent_scheduler: what the API shows and changes is what
the agents are given in their host state."""
import pytest

from network import rpcapi
from network.state import NetworkState

pytestmark = pytest.mark.timeout(60)


def _agent(api, admin, agent_type, host):
    [agent] = [a for a in api.ok('GET', '/v2.0/agents?host=%s' % host,
                                 token=admin)['agents'] if a['agent_type'] == agent_type]
    return agent


def test_dhcp_network_scheduling(api, network_conf_obj):
    core = NetworkState.get(network_conf_obj).core
    admin = api.tokens.admin()
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'n'}})['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                'cidr': '10.43.0.0/24'}})

    def served(host):
        return [n['id'] for n in core.hoststate.get(host, rpcapi.AGENT_DHCP)['networks']]
    # the first DHCP agent that asks gets the new network; a second one does not
    assert served('h1') == [net['id']]
    assert served('h2') == []
    a1 = _agent(api, admin, rpcapi.AGENT_DHCP, 'h1')
    a2 = _agent(api, admin, rpcapi.AGENT_DHCP, 'h2')
    agents_path = '/v2.0/networks/%s/dhcp-agents' % net['id']
    assert [a['id'] for a in api.ok('GET', agents_path, token=admin)['agents']] == [a1['id']]
    path1 = '/v2.0/agents/%s/dhcp-networks' % a1['id']
    assert [n['id'] for n in api.ok('GET', path1, token=admin)['networks']] == [net['id']]
    dhcp_ports = '/v2.0/ports?network_id=%s&device_owner=network:dhcp' % net['id']
    assert len(api.ok('GET', dhcp_ports, token=admin)['ports']) == 1
    # removed: the agent no longer serves it (its dnsmasq stops, its DHCP port goes),
    # and it stays off
    api.ok('DELETE', '%s/%s' % (path1, net['id']), token=admin)
    assert api.ok('GET', dhcp_ports, token=admin)['ports'] == []
    assert served('h1') == [] and served('h2') == []
    assert api.ok('GET', agents_path, token=admin)['agents'] == []
    assert api.call('DELETE', '%s/%s' % (path1, net['id']), token=admin)[0] == 404
    # added to the other agent: that one serves it
    path2 = '/v2.0/agents/%s/dhcp-networks' % a2['id']
    api.ok('POST', path2, {'network_id': net['id']}, token=admin)
    assert served('h2') == [net['id']] and served('h1') == []
    assert api.call('POST', path2, {'network_id': net['id']}, token=admin)[0] == 409
    # refusals: unknown network, a non-DHCP agent, bad bodies, a disabled agent
    assert api.call('POST', path2, {'network_id': 'nope'}, token=admin)[0] == 404
    core.hoststate.get('h1', rpcapi.AGENT_L3)
    l3 = _agent(api, admin, rpcapi.AGENT_L3, 'h1')
    assert api.call('POST', '/v2.0/agents/%s/dhcp-networks' % l3['id'],
                    {'network_id': net['id']}, token=admin)[0] == 404
    assert api.call('GET', '/v2.0/agents/%s/dhcp-networks' % l3['id'],
                    token=admin)[0] == 404
    for body in ({}, {'network_id': 5}, {'network_id': net['id'], 'x': 1}, []):
        assert api.call('POST', path1, body, token=admin)[0] == 400, body
    api.ok('PUT', '/v2.0/agents/%s' % a1['id'], {'agent': {'admin_state_up': False}},
           token=admin)
    assert api.call('POST', path1, {'network_id': net['id']}, token=admin)[0] == 404
    # admin only
    for method, path, body in (('GET', path2, None), ('POST', path1,
                                                      {'network_id': net['id']}),
                               ('DELETE', '%s/%s' % (path2, net['id']), None),
                               ('GET', agents_path, None)):
        assert api.call(method, path, body)[0] == 403, (method, path)
    assert served('h2') == [net['id']]


def test_l3_router_scheduling(api, network_conf_obj):
    core = NetworkState.get(network_conf_obj).core
    admin = api.tokens.admin()
    router = api.ok('POST', '/v2.0/routers', {'router': {'name': 'r'}})['router']

    def served(host):
        return [r['id'] for r in core.hoststate.get(host, rpcapi.AGENT_L3)['routers']]
    assert served('h1') == [router['id']]
    assert served('h2') == []
    a1 = _agent(api, admin, rpcapi.AGENT_L3, 'h1')
    a2 = _agent(api, admin, rpcapi.AGENT_L3, 'h2')
    agents_path = '/v2.0/routers/%s/l3-agents' % router['id']
    assert [a['id'] for a in api.ok('GET', agents_path, token=admin)['agents']] == [a1['id']]
    path1 = '/v2.0/agents/%s/l3-routers' % a1['id']
    path2 = '/v2.0/agents/%s/l3-routers' % a2['id']
    assert [r['id'] for r in api.ok('GET', path1, token=admin)['routers']] == [router['id']]
    # adding it to the agent serving it changes nothing; one L3 agent per router
    api.ok('POST', path1, {'router_id': router['id']}, token=admin)
    assert api.call('POST', path2, {'router_id': router['id']}, token=admin)[0] == 409
    assert api.call('DELETE', '%s/%s' % (path2, router['id']), token=admin)[0] == 404
    api.ok('DELETE', '%s/%s' % (path1, router['id']), token=admin)
    assert served('h1') == [] and served('h2') == []
    api.ok('POST', path2, {'router_id': router['id']}, token=admin)
    assert served('h2') == [router['id']] and served('h1') == []
    assert [r['id'] for r in api.ok('GET', path2, token=admin)['routers']] == [router['id']]
    assert api.call('POST', path1, {'router_id': 'nope'}, token=admin)[0] == 404
    assert api.call('GET', path1)[0] == 403
    assert api.call('GET', agents_path)[0] == 403
    # deleting the router removes its binding
    api.ok('DELETE', '/v2.0/routers/%s' % router['id'])
    assert api.ok('GET', path2, token=admin)['routers'] == []


def test_extensions_listed(api):
    aliases = {e['alias'] for e in api.ok('GET', '/v2.0/extensions')['extensions']}
    assert {'dhcp_agent_scheduler', 'l3_agent_scheduler'} <= aliases


def test_a_new_dhcp_subnet_places_its_network_at_once(api, network_conf_obj):
    core = NetworkState.get(network_conf_obj).core
    admin = api.tokens.admin()
    for host in ('h1', 'h2'):
        core.agents.report({'binary': 'network-dhcp-agent', 'host': host,
                            'agent_type': rpcapi.AGENT_DHCP})
    core.hoststate.get('h1', rpcapi.AGENT_DHCP)
    first = api.ok('POST', '/v2.0/networks', {'network': {}})['network']
    second = api.ok('POST', '/v2.0/networks', {'network': {}})['network']
    for net, cidr in ((first, '10.45.0.0/24'), (second, '10.45.1.0/24')):
        api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'], 'cidr': cidr}})
    hosts = []
    for net in (first, second):
        [agent] = api.ok('GET', '/v2.0/networks/%s/dhcp-agents' % net['id'],
                         token=admin)['agents']
        hosts.append(agent['host'])
    assert sorted(hosts) == ['h1', 'h2']        # the least loaded agent first
