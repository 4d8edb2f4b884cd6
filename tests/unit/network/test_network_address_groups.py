"""Address groups (address-group) and security group rules naming one as remote
(security-groups-remote-address-group): API outcomes, policy, the bridge agent's state
and the notification the agents get when a group's addresses change."""
import pytest

from network import rpcapi
from network.state import NetworkState

pytestmark = pytest.mark.timeout(60)
AG = '/v2.0/address-groups'


class Recorder:
    """Fake notifier (unit tests only): records what agents would be told."""

    def __init__(self):
        self.sent = []

    def resources_changed(self, ctx, kind, ids):
        self.sent.append((kind, ids))


def _group(api, addresses, **kw):
    return api.ok('POST', AG, {'address_group': dict(kw, addresses=addresses)})[
        'address_group']


def test_address_group_crud_and_address_changes(api):
    group = _group(api, ['10.0.0.1', '10.1.0.7/16', '2001:db8::5/64', '10.0.0.1/32'],
                   name='ag', description='d')
    # canonical CIDRs, host bits cleared, each once
    assert sorted(group['addresses']) == ['10.0.0.1/32', '10.1.0.0/16', '2001:db8::/64']
    assert group['name'] == 'ag' and group['description'] == 'd'
    assert group['project_id'] == group['tenant_id'] == 'demo'
    path = '%s/%s' % (AG, group['id'])
    shown = api.ok('PUT', path + '/add_addresses', {'addresses': ['192.0.2.0/24']})
    assert '192.0.2.0/24' in shown['address_group']['addresses']
    # adding one it has is a 400, removing one it lacks a 404; nothing changes
    assert api.call('PUT', path + '/add_addresses',
                    {'addresses': ['198.51.100.1', '192.0.2.9/24']})[0] == 400
    assert api.call('PUT', path + '/remove_addresses',
                    {'addresses': ['10.0.0.1', '203.0.113.1']})[0] == 404
    assert len(api.ok('GET', path)['address_group']['addresses']) == 4
    shown = api.ok('PUT', path + '/remove_addresses', {'addresses': ['10.0.0.1/32']})
    assert sorted(shown['address_group']['addresses']) == [
        '10.1.0.0/16', '192.0.2.0/24', '2001:db8::/64']
    assert api.ok('PUT', path, {'address_group': {'name': 'ag2'}})['address_group'][
        'name'] == 'ag2'
    assert [g['id'] for g in api.ok('GET', AG + '?name=ag2')['address_groups']] == [
        group['id']]
    api.ok('DELETE', path)
    assert api.call('GET', path)[0] == 404


def test_address_group_refusals_and_policy(api):
    for bad in (['10.0.0.300'], ['10.0.0.0/33'], ['x; iptables -F'], ['10.0.0.1\n'],
                ['fe80::1%eth0'], 'nope', [5]):
        assert api.call('POST', AG, {'address_group': {'addresses': bad}})[0] == 400, bad
    assert api.call('POST', AG, {'address_group': {'addresses': [], 'bogus': 1}})[0] == 400
    group = _group(api, ['10.0.0.0/24'])
    path = '%s/%s' % (AG, group['id'])
    assert api.call('PUT', path + '/add_addresses', {'addresses': ['1.2.3.4/99']})[0] == 400
    assert api.call('PUT', path + '/add_addresses', {'x': []})[0] == 400
    assert api.call('PUT', path, {'address_group': {'addresses': ['1.1.1.1']}})[0] == 400
    # another project neither sees nor changes it
    bob = api.tokens.token('bob')
    assert api.call('GET', path, token=bob)[0] == 404
    assert api.ok('GET', AG, token=bob)['address_groups'] == []
    for action in ('add_addresses', 'remove_addresses'):
        assert api.call('PUT', '%s/%s' % (path, action), {'addresses': ['10.0.0.0/24']},
                        token=bob)[0] == 404
    assert api.call('DELETE', path, token=bob)[0] == 404
    # a reader of the project reads only
    reader = api.tokens.token('demo', roles=('reader',))
    assert api.ok('GET', path, token=reader)['address_group']['id'] == group['id']
    assert api.call('PUT', path + '/add_addresses', {'addresses': ['10.9.0.0/24']},
                    token=reader)[0] == 403
    assert api.call('POST', AG, {'address_group': {'addresses': []}}, token=reader)[0] == 403
    # an admin sees every project's
    admin = api.tokens.admin()
    assert api.ok('GET', path, token=admin)['address_group']['project_id'] == 'demo'


def test_rule_with_remote_address_group(api, network_conf_obj, monkeypatch):
    core = NetworkState.get(network_conf_obj).core
    group = _group(api, ['203.0.113.0/24', '2001:db8::/64'])
    sg = api.ok('POST', '/v2.0/security-groups', {'security_group': {'name': 's'}})[
        'security_group']
    rule = api.ok('POST', '/v2.0/security-group-rules', {'security_group_rule': {
        'security_group_id': sg['id'], 'direction': 'ingress', 'protocol': 'tcp',
        'port_range_min': 22, 'port_range_max': 22,
        'remote_address_group_id': group['id']}})['security_group_rule']
    assert rule['remote_address_group_id'] == group['id']
    assert rule['remote_ip_prefix'] is None and rule['remote_group_id'] is None
    listed = api.ok('GET', '/v2.0/security-group-rules?remote_address_group_id=%s'
                    % group['id'])['security_group_rules']
    assert [r['id'] for r in listed] == [rule['id']]
    # the same rule twice, two remotes at once, a group one cannot see
    body = {'security_group_id': sg['id'], 'direction': 'ingress', 'protocol': 'tcp',
            'port_range_min': 22, 'port_range_max': 22,
            'remote_address_group_id': group['id']}
    assert api.call('POST', '/v2.0/security-group-rules',
                    {'security_group_rule': body})[0] == 409
    assert api.call('POST', '/v2.0/security-group-rules', {'security_group_rule': dict(
        body, port_range_min=80, port_range_max=80, remote_ip_prefix='10.0.0.0/8')})[0] == 400
    assert api.call('POST', '/v2.0/security-group-rules', {'security_group_rule': dict(
        body, port_range_min=80, port_range_max=80, remote_group_id=sg['id'])})[0] == 400
    bob = api.tokens.token('bob')
    bob_sg = api.ok('POST', '/v2.0/security-groups', {'security_group': {'name': 'b'}},
                    token=bob)['security_group']
    assert api.call('POST', '/v2.0/security-group-rules', {'security_group_rule': dict(
        body, security_group_id=bob_sg['id'])}, token=bob)[0] == 404
    # the bridge agent gets the group's CIDRs of the rule's family
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'n'}})['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                'cidr': '10.42.0.0/24'}})
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                                   'security_groups': [sg['id']]}})['port']
    admin = api.tokens.admin()
    api.ok('PUT', '/v2.0/ports/%s' % port['id'], {'port': {'binding:host_id': 'h1'}},
           token=admin)

    def agent_rules():
        state = core.hoststate.get('h1', rpcapi.AGENT_BRIDGE)
        [mine] = [p for p in state['ports'] if p['id'] == port['id']]
        return [r for r in mine['security_group_rules']
                if r.get('remote_address_group_id')]
    [seen] = agent_rules()
    assert seen['remote_ips'] == ['203.0.113.0/24'] and seen['protocol'] == 'tcp'
    # changing the group's addresses tells the agents of the groups using it
    recorder = Recorder()
    monkeypatch.setattr(core, 'notifier', recorder)
    path = '%s/%s' % (AG, group['id'])
    api.ok('PUT', path + '/add_addresses', {'addresses': ['198.51.100.7']})
    assert ('security_group', [sg['id']]) in recorder.sent
    assert agent_rules()[0]['remote_ips'] == ['198.51.100.7/32', '203.0.113.0/24']
    recorder.sent.clear()
    api.ok('PUT', path + '/remove_addresses', {'addresses': ['203.0.113.0/24']})
    assert ('security_group', [sg['id']]) in recorder.sent
    assert agent_rules()[0]['remote_ips'] == ['198.51.100.7/32']
    # a group in use is not deleted; once its rule is gone it is
    assert api.call('DELETE', path)[0] == 409
    api.ok('DELETE', '/v2.0/security-group-rules/%s' % rule['id'])
    api.ok('DELETE', path)


def test_extensions_listed(api):
    aliases = {e['alias'] for e in api.ok('GET', '/v2.0/extensions')['extensions']}
    assert {'address-group', 'security-groups-remote-address-group'} <= aliases
