"""Availability zones: from the agents' reports; hints on networks and routers place
them on the agents of those zones; availability_zones shows where they are served."""
import pytest

from network import rpcapi
from network.state import NetworkState

pytestmark = pytest.mark.timeout(60)


def _report(core, agent_type, host, zone):
    core.agents.report({'binary': 'network-%s-agent' % rpcapi.AGENT_SHORT[agent_type],
                        'host': host, 'agent_type': agent_type, 'availability_zone': zone})


def test_zones_hints_and_placement(api, network_conf_obj):
    core = NetworkState.get(network_conf_obj).core
    admin = api.tokens.admin()
    assert api.ok('GET', '/v2.0/availability_zones')['availability_zones'] == []
    _report(core, rpcapi.AGENT_DHCP, 'h1', 'nova')
    _report(core, rpcapi.AGENT_DHCP, 'h2', 'az2')
    _report(core, rpcapi.AGENT_L3, 'h1', 'nova')
    _report(core, rpcapi.AGENT_BRIDGE, 'h1', 'ignored')
    zones = api.ok('GET', '/v2.0/availability_zones')['availability_zones']
    assert zones == [
        {'name': 'az2', 'resource': 'network', 'state': 'available'},
        {'name': 'nova', 'resource': 'network', 'state': 'available'},
        {'name': 'nova', 'resource': 'router', 'state': 'available'}]
    assert api.ok('GET', '/v2.0/availability_zones?resource=router')[
        'availability_zones'] == [zones[2]]
    assert api.call('GET', '/v2.0/availability_zones?bogus=1')[0] == 400
    # a disabled agent's zone is unavailable
    [h2] = [a for a in api.ok('GET', '/v2.0/agents?host=h2', token=admin)['agents']]
    assert h2['availability_zone'] == 'az2'
    api.ok('PUT', '/v2.0/agents/%s' % h2['id'], {'agent': {'admin_state_up': False}},
           token=admin)
    assert api.ok('GET', '/v2.0/availability_zones?name=az2')['availability_zones'][0][
        'state'] == 'unavailable'
    api.ok('PUT', '/v2.0/agents/%s' % h2['id'], {'agent': {'admin_state_up': True}},
           token=admin)
    # hints: known zones of the resource's kind only
    for hints, code in ((['nowhere'], 404), (['bad zone'], 400), (['a,b'], 400),
                        ('az2', 400), ([5], 400)):
        assert api.call('POST', '/v2.0/networks', {'network': {
            'availability_zone_hints': hints}})[0] == code, hints
    assert api.call('POST', '/v2.0/routers', {'router': {
        'availability_zone_hints': ['az2']}})[0] == 404
    net = api.ok('POST', '/v2.0/networks', {'network': {
        'availability_zone_hints': ['az2']}})['network']
    assert net['availability_zone_hints'] == ['az2'] and net['availability_zones'] == []
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                'cidr': '10.44.0.0/24'}})
    # the agent of another zone does not take it; the agent of its zone does
    assert core.hoststate.get('h1', rpcapi.AGENT_DHCP)['networks'] == []
    assert [n['id'] for n in core.hoststate.get('h2', rpcapi.AGENT_DHCP)['networks']] == [
        net['id']]
    assert api.ok('GET', '/v2.0/networks/%s' % net['id'])['network'][
        'availability_zones'] == ['az2']
    listed = api.ok('GET', '/v2.0/networks?id=%s' % net['id'])['networks']
    assert listed[0]['availability_zones'] == ['az2']
    router = api.ok('POST', '/v2.0/routers', {'router': {
        'availability_zone_hints': ['nova']}})['router']
    assert router['availability_zone_hints'] == ['nova']
    core.hoststate.get('h1', rpcapi.AGENT_L3)
    assert api.ok('GET', '/v2.0/routers/%s' % router['id'])['router'][
        'availability_zones'] == ['nova']
    # hints are set at create only
    assert api.call('PUT', '/v2.0/networks/%s' % net['id'], {'network': {
        'availability_zone_hints': ['nova']}})[0] == 400
    aliases = {e['alias'] for e in api.ok('GET', '/v2.0/extensions')['extensions']}
    assert {'availability_zone', 'network_availability_zone',
            'router_availability_zone'} <= aliases


def test_agent_zone_report_is_checked(network_conf_obj, api):
    core = NetworkState.get(network_conf_obj).core
    with pytest.raises(ValueError):
        _report(core, rpcapi.AGENT_DHCP, 'h9', 'a\nb')
