"""QoS policies and rules through the API, and what the bridge agent is told to apply."""
import pytest

from network import rpcapi
from network.state import NetworkState

pytestmark = pytest.mark.timeout(60)

Q = '/v2.0/qos/policies'


def _policy(api, admin, **attrs):
    return api.ok('POST', Q, {'policy': dict(name='gold', **attrs)}, token=admin)['policy']


def test_policies_and_rules(api):
    admin = api.tokens.admin()
    assert api.call('POST', Q, {'policy': {'name': 'mine'}})[0] == 403   # operator's
    policy = _policy(api, admin, shared=True)
    assert policy['rules'] == [] and policy['shared'] is True
    path = '%s/%s' % (Q, policy['id'])
    bw = api.ok('POST', path + '/bandwidth_limit_rules', {'bandwidth_limit_rule': {
        'max_kbps': 1000, 'max_burst_kbps': 100, 'direction': 'ingress'}},
        token=admin)['bandwidth_limit_rule']
    assert (bw['max_kbps'], bw['direction'], bw['type']) == (1000, 'ingress',
                                                             'bandwidth_limit')
    egress = api.ok('POST', path + '/bandwidth_limit_rules', {'bandwidth_limit_rule': {
        'max_kbps': 2000}}, token=admin)['bandwidth_limit_rule']
    assert egress['direction'] == 'egress' and egress['max_burst_kbps'] == 0
    code, err = api.call('POST', path + '/bandwidth_limit_rules', {'bandwidth_limit_rule': {
        'max_kbps': 5, 'direction': 'ingress'}}, token=admin)
    assert code == 409 and err['NeutronError']['type'] == 'QoSRulesConflict'
    dscp = api.ok('POST', path + '/dscp_marking_rules', {'dscp_marking_rule': {
        'dscp_mark': 26}}, token=admin)['dscp_marking_rule']
    for bad in (27, 64, -1, 'x'):
        assert api.call('PUT', path + '/dscp_marking_rules/' + dscp['id'], {
            'dscp_marking_rule': {'dscp_mark': bad}}, token=admin)[0] == 400, bad
    updated = api.ok('PUT', path + '/bandwidth_limit_rules/' + bw['id'], {
        'bandwidth_limit_rule': {'max_kbps': 1500}}, token=admin)['bandwidth_limit_rule']
    assert updated['max_kbps'] == 1500
    shown = api.ok('GET', path)['policy']          # members see shared policies
    assert sorted(r['type'] for r in shown['rules']) == ['bandwidth_limit',
                                                         'bandwidth_limit', 'dscp_marking']
    assert len(api.ok('GET', path + '/bandwidth_limit_rules')['bandwidth_limit_rules']) == 2
    assert api.call('DELETE', path + '/dscp_marking_rules/' + dscp['id'])[0] == 403
    api.ok('DELETE', path + '/dscp_marking_rules/' + dscp['id'], token=admin)
    assert api.call('GET', path + '/dscp_marking_rules/' + dscp['id'])[0] == 404
    assert api.call('PUT', path + '/tags/red', token=admin)[0] == 201
    assert [p['id'] for p in api.ok('GET', Q + '?tags=red')['policies']] == [policy['id']]
    types = api.ok('GET', '/v2.0/qos/rule-types')['rule_types']
    assert {t['type'] for t in types} == {'bandwidth_limit', 'dscp_marking'}
    aliases = {e['alias'] for e in api.ok('GET', '/v2.0/extensions')['extensions']}
    assert {'qos', 'qos-bw-limit-direction'} <= aliases


def test_ports_and_networks_carry_policies_to_the_agent(api, network_conf_obj):
    admin = api.tokens.admin()
    shared = _policy(api, admin, shared=True)
    private = _policy(api, admin)
    api.ok('POST', '%s/%s/bandwidth_limit_rules' % (Q, shared['id']), {
        'bandwidth_limit_rule': {'max_kbps': 1000, 'direction': 'ingress'}}, token=admin)
    api.ok('POST', '%s/%s/dscp_marking_rules' % (Q, private['id']), {
        'dscp_marking_rule': {'dscp_mark': 10}}, token=admin)
    net = api.ok('POST', '/v2.0/networks', {'network': {
        'name': 'n', 'qos_policy_id': shared['id']}})['network']
    assert net['qos_policy_id'] == shared['id']
    # a member cannot attach a policy it cannot see
    assert api.call('POST', '/v2.0/ports', {'port': {
        'network_id': net['id'], 'qos_policy_id': private['id']}})[0] == 404
    plain = api.ok('POST', '/v2.0/ports', {'port': {
        'network_id': net['id'], 'binding:host_id': 'h1'}}, token=admin)['port']
    own = api.ok('POST', '/v2.0/ports', {'port': {
        'network_id': net['id'], 'binding:host_id': 'h1',
        'qos_policy_id': private['id']}}, token=admin)['port']
    assert own['qos_policy_id'] == private['id'] and plain['qos_policy_id'] is None
    state = NetworkState.get(network_conf_obj).core.hoststate.get('h1', rpcapi.AGENT_BRIDGE)
    by_id = {p['id']: p['qos'] for p in state['ports']}
    assert by_id[plain['id']] == {'bandwidth_limit': {'ingress': {
        'max_kbps': 1000, 'max_burst_kbps': 0}}, 'dscp_mark': None}      # the network's
    assert by_id[own['id']] == {'bandwidth_limit': {}, 'dscp_mark': 10}  # its own wins
    # a policy in use stays
    code, err = api.call('DELETE', '%s/%s' % (Q, shared['id']), token=admin)
    assert code == 409 and err['NeutronError']['type'] == 'QosPolicyInUse'
    api.ok('PUT', '/v2.0/networks/%s' % net['id'], {'network': {'qos_policy_id': None}})
    state = NetworkState.get(network_conf_obj).core.hoststate.get('h1', rpcapi.AGENT_BRIDGE)
    assert {p['id']: p['qos'] for p in state['ports']}[plain['id']] is None
    api.ok('DELETE', '%s/%s' % (Q, shared['id']), token=admin)
