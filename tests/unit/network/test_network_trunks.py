"""Trunks (trunk): parent and subports, add/remove, status, the refusals Neutron makes,
and what the bridge agent's state carries."""
import pytest

from network import rpcapi
from network.state import NetworkState

pytestmark = pytest.mark.timeout(60)


def _ports(api, count, name='n'):
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': name}})['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                'cidr': '10.41.%d.0/24' % len(name)}})
    return [api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})['port']
            for _ in range(count)]


def _sub(port, vid):
    return {'port_id': port['id'], 'segmentation_type': 'vlan', 'segmentation_id': vid}


def test_trunk_create_add_remove_and_delete(api):
    parent, s1 = _ports(api, 2)
    [s2] = _ports(api, 1, name='other')
    trunk = api.ok('POST', '/v2.0/trunks', {'trunk': {
        'name': 't', 'port_id': parent['id'], 'sub_ports': [_sub(s1, 100)]}})['trunk']
    assert trunk['port_id'] == parent['id'] and trunk['status'] == 'DOWN'
    assert trunk['sub_ports'] == [_sub(s1, 100)]
    port = api.ok('GET', '/v2.0/ports/%s' % s1['id'])['port']
    assert port['device_owner'] == 'trunk:subport' and port['device_id'] == trunk['id']
    path = '/v2.0/trunks/%s' % trunk['id']
    shown = api.ok('PUT', path + '/add_subports', {'sub_ports': [_sub(s2, 200)]})
    assert shown['id'] == trunk['id']                 # the trunk itself, not wrapped
    assert shown['sub_ports'] == [_sub(s1, 100), _sub(s2, 200)]
    assert api.ok('GET', path + '/get_subports') == {'sub_ports': shown['sub_ports']}
    # ports a trunk depends on are not deleted
    assert api.call('DELETE', '/v2.0/ports/%s' % parent['id'])[0] == 409
    assert api.call('DELETE', '/v2.0/ports/%s' % s2['id'])[0] == 409
    shown = api.ok('PUT', path + '/remove_subports', {'sub_ports': [{'port_id': s1['id']}]})
    assert shown['sub_ports'] == [_sub(s2, 200)]
    assert api.ok('GET', '/v2.0/ports/%s' % s1['id'])['port']['device_owner'] == ''
    api.ok('DELETE', '/v2.0/ports/%s' % s1['id'])
    assert api.ok('PUT', path, {'trunk': {'name': 't2'}})['trunk']['name'] == 't2'
    assert [t['id'] for t in api.ok('GET', '/v2.0/trunks?name=t2')['trunks']] == [trunk['id']]
    api.ok('DELETE', path)
    assert api.call('GET', path)[0] == 404
    api.ok('DELETE', '/v2.0/ports/%s' % s2['id'])
    api.ok('DELETE', '/v2.0/ports/%s' % parent['id'])


def test_trunk_refusals(api):
    parent, s1, s2, other_parent = _ports(api, 4)
    trunk = api.ok('POST', '/v2.0/trunks', {'trunk': {
        'port_id': parent['id'], 'sub_ports': [_sub(s1, 100)]}})['trunk']
    path = '/v2.0/trunks/%s' % trunk['id']
    # a parent or subport already in a trunk
    assert api.call('POST', '/v2.0/trunks', {'trunk': {'port_id': parent['id']}})[0] == 409
    assert api.call('POST', '/v2.0/trunks', {'trunk': {'port_id': s1['id']}})[0] == 409
    assert api.call('PUT', path + '/add_subports', {'sub_ports': [_sub(s1, 101)]})[0] == 409
    # the same VLAN twice, the parent as its own subport, the same port twice
    assert api.call('PUT', path + '/add_subports', {'sub_ports': [_sub(s2, 100)]})[0] == 409
    assert api.call('PUT', path + '/add_subports',
                    {'sub_ports': [_sub(parent, 300)]})[0] == 400
    assert api.call('POST', '/v2.0/trunks', {'trunk': {
        'port_id': other_parent['id'], 'sub_ports': [_sub(s2, 5), _sub(s2, 6)]}})[0] == 400
    # bad shapes
    for subs in ([{'port_id': s2['id'], 'segmentation_type': 'vxlan', 'segmentation_id': 5}],
                 [{'port_id': s2['id'], 'segmentation_type': 'vlan', 'segmentation_id': 0}],
                 [{'port_id': s2['id'], 'segmentation_type': 'vlan',
                   'segmentation_id': 4095}],
                 [{'port_id': s2['id']}], 'x', [_sub(s2, '7')]):
        code, body = api.call('PUT', path + '/add_subports', {'sub_ports': subs})
        assert code == 400, (subs, body)
    assert api.call('PUT', path + '/add_subports', {'x': []})[0] == 400
    assert api.call('PUT', path + '/remove_subports',
                    {'sub_ports': [{'port_id': s2['id']}]})[0] == 404
    assert api.call('POST', '/v2.0/trunks', {'trunk': {'port_id': 'nope'}})[0] == 404
    # nothing changed by the refused requests
    assert api.ok('GET', path)['trunk']['sub_ports'] == [_sub(s1, 100)]
    # another project neither sees the trunk nor uses its ports
    bob = api.tokens.token('bob')
    assert api.call('GET', path, token=bob)[0] == 404
    assert api.call('PUT', path + '/add_subports', {'sub_ports': [_sub(s2, 7)]},
                    token=bob)[0] == 404
    assert api.call('POST', '/v2.0/trunks', {'trunk': {'port_id': other_parent['id']}},
                    token=bob)[0] == 404
    # a port bound to a guest is not a subport
    api.ok('PUT', '/v2.0/ports/%s' % s2['id'], {'port': {'device_id': 'vm1',
                                                         'device_owner': 'compute:nova'}})
    assert api.call('PUT', path + '/add_subports', {'sub_ports': [_sub(s2, 7)]})[0] == 409


def test_subports_follow_the_parent_to_its_host_and_reach_the_bridge_agent(
        api, network_conf_obj):
    admin = api.tokens.admin()
    parent, s1 = _ports(api, 2)
    trunk = api.ok('POST', '/v2.0/trunks', {'trunk': {
        'port_id': parent['id'], 'sub_ports': [_sub(s1, 100)]}})['trunk']
    api.ok('PUT', '/v2.0/ports/%s' % parent['id'], {'port': {'binding:host_id': 'h1'}},
           token=admin)
    assert api.ok('GET', '/v2.0/ports/%s' % s1['id'], token=admin)['port'][
        'binding:host_id'] == 'h1'
    state = NetworkState.get(network_conf_obj).core.hoststate.get('h1', rpcapi.AGENT_BRIDGE)
    ports = {p['id']: p for p in state['ports']}
    assert ports[parent['id']]['trunk'] == {
        'id': trunk['id'], 'admin_state_up': True,
        'sub_ports': [{'port_id': s1['id'], 'segmentation_id': 100}]}
    assert ports[s1['id']]['device_owner'] == 'trunk:subport'
    assert ports[s1['id']]['trunk'] is None


def test_trunk_details_on_parent_ports(api):
    parent, s1, plain = _ports(api, 3)
    trunk = api.ok('POST', '/v2.0/trunks', {'trunk': {
        'port_id': parent['id'], 'sub_ports': [_sub(s1, 100)]}})['trunk']
    shown = api.ok('GET', '/v2.0/ports/%s' % parent['id'])['port']
    assert shown['trunk_details'] == {'trunk_id': trunk['id'], 'sub_ports': [
        dict(_sub(s1, 100), mac_address=s1['mac_address'])]}
    listed = {p['id']: p for p in api.ok('GET', '/v2.0/ports')['ports']}
    assert listed[parent['id']]['trunk_details']['trunk_id'] == trunk['id']
    assert 'trunk_details' not in listed[plain['id']]
    assert 'trunk_details' not in listed[s1['id']]
    api.ok('PUT', '/v2.0/trunks/%s/remove_subports' % trunk['id'],
           {'sub_ports': [{'port_id': s1['id']}]})
    assert api.ok('GET', '/v2.0/ports/%s' % parent['id'])['port']['trunk_details'][
        'sub_ports'] == []
    api.ok('DELETE', '/v2.0/trunks/%s' % trunk['id'])
    assert 'trunk_details' not in api.ok('GET', '/v2.0/ports/%s' % parent['id'])['port']
    aliases = {e['alias'] for e in api.ok('GET', '/v2.0/extensions')['extensions']}
    assert 'trunk-details' in aliases
