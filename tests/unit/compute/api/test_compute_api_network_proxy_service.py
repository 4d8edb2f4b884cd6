"""The network proxies against the real network API (its paste app in process, SQLite):
security groups and rules, a server's groups, floating IPs and their association, networks,
each with the caller's own token, in Nova's form. Only the HTTP hop is replaced."""
import os
import sys
import uuid

import pytest

from common import config
from common.rpc import fake as rpc_fake
from common.wsgi import server as wsgi_server
from compute import engine as engine_mod
from compute.api import state as state_mod
from network import conf as network_conf
from network.state import NetworkState

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(HERE))))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'core'))
import compute_core_fakes as fakes  # noqa: E402
import proxy_fakes  # noqa: E402

V = '/v2.1'


@pytest.fixture
def napi(api, compute_conf_obj, token_source, tmp_path):
    conf = config.ConfigOpts()
    network_conf.register(conf)
    conf.set_override('state_path', str(tmp_path / 'network'))
    conf.set_override('transport_url', 'fake://network-%s' % uuid.uuid4().hex)
    conf.set_override('connection', 'sqlite:///%s' % (tmp_path / 'network.sqlite'),
                      'database')
    conf.set_override('www_authenticate_uri', token_source.url, 'keystone_authtoken')
    conf.set_override('revocation_push', False, 'keystone_authtoken')
    conf.set_override('policy_file', os.path.join(ROOT, 'etc', 'network', 'policy.yaml'),
                      'oslo_policy')
    NetworkState.get(conf).sync_schema()
    app = wsgi_server.load_paste_app(os.path.join(ROOT, 'etc', 'network', 'api-paste.ini'),
                                     conf=conf)
    st = state_mod.get(compute_conf_obj)
    engine = engine_mod.Engine(compute_conf_obj, st.db, st.transport,
                               image_api=fakes.FakeImageAPI(),
                               network_api=fakes.AnyProjectNetworkAPI(),
                               volume_api=fakes.FakeVolumeAPI())
    engine._proxy_api = proxy_fakes.WsgiBackends({'network': app})
    st._engine = engine
    api.net = proxy_fakes.WsgiBound(app, api.default, 'network')
    api.net_admin = proxy_fakes.WsgiBound(app, api.admin, 'network')
    api.engine = engine
    yield api
    NetworkState.forget(conf)
    rpc_fake.reset()


def _topology(api):
    """public (external, 203.0.113.0/24) routed to the user's private 10.0.0.0/24."""
    ext = api.net_admin.request('POST', '/v2.0/networks', {'network': {
        'name': 'public', 'router:external': True}})['network']
    api.net_admin.request('POST', '/v2.0/subnets', {'subnet': {
        'network_id': ext['id'], 'cidr': '203.0.113.0/24', 'enable_dhcp': False}})
    net = api.net.request('POST', '/v2.0/networks', {'network': {'name': 'private'}})[
        'network']
    sub = api.net.request('POST', '/v2.0/subnets', {'subnet': {
        'network_id': net['id'], 'cidr': '10.0.0.0/24'}})['subnet']
    router = api.net.request('POST', '/v2.0/routers', {'router': {
        'name': 'r', 'external_gateway_info': {'network_id': ext['id']}}})['router']
    api.net.request('PUT', '/v2.0/routers/%s/add_router_interface' % router['id'],
                    {'subnet_id': sub['id']})
    return ext, net


def _server(api, net):
    """A server of the caller whose port is on ``net``."""
    uuid_ = proxy_fakes.boot_server(api)
    port = api.net.request('POST', '/v2.0/ports', {'port': {
        'network_id': net['id'], 'device_id': uuid_, 'device_owner': 'compute:nova'}})['port']
    return uuid_, port


def test_security_groups_over_the_network_api(napi):
    sgs = V + '/os-security-groups'
    groups = napi.ok('GET', sgs)['security_groups']
    default = [g for g in groups if g['name'] == 'default'][0]
    assert {r['group'].get('name') for r in default['rules']} == {'default'}   # ingress only
    sg = napi.ok('POST', sgs, {'security_group': {'name': 'web', 'description': 'd'}})[
        'security_group']
    rules = V + '/os-security-group-rules'
    rule = napi.ok('POST', rules, {'security_group_rule': {
        'parent_group_id': sg['id'], 'ip_protocol': 'tcp', 'from_port': 22, 'to_port': 22,
        'cidr': '10.2.3.124/24'}})['security_group_rule']
    stored = napi.net.request('GET', '/v2.0/security-groups/%s' % sg['id'])[
        'security_group']['security_group_rules']
    # the CIDR as the network service keeps it (it normalizes it to 10.2.3.0/24)
    assert rule['ip_range'] == {'cidr': [r['remote_ip_prefix'] for r in stored
                                         if r['id'] == rule['id']][0]}
    assert rule['from_port'] == 22
    icmp = napi.ok('POST', rules, {'security_group_rule': {
        'parent_group_id': sg['id'], 'ip_protocol': 'icmp', 'from_port': -1,
        'to_port': -1}})['security_group_rule']
    assert (icmp['from_port'], icmp['to_port'], icmp['ip_range']) == (
        -1, -1, {'cidr': '0.0.0.0/0'})
    peer = napi.ok('POST', sgs, {'security_group': {'name': 'peer', 'description': 'd'}})[
        'security_group']
    by_group = napi.ok('POST', rules, {'security_group_rule': {
        'parent_group_id': sg['id'], 'ip_protocol': 'tcp', 'from_port': 80, 'to_port': 80,
        'group_id': peer['id']}})['security_group_rule']
    assert by_group['group'] == {'name': 'peer', 'tenant_id': 'demo'}
    # the same rule again: 400, whether compute or the network service notices
    assert napi.call('POST', rules, {'security_group_rule': {
        'parent_group_id': sg['id'], 'ip_protocol': 'icmp', 'from_port': -1,
        'to_port': -1}})[0] == 400
    assert napi.call('DELETE', sgs + '/%s' % default['id'])[0] == 400
    assert napi.call('DELETE', sgs + '/%s' % peer['id'])[0] == 202
    shown = napi.ok('GET', sgs + '/%s' % sg['id'])['security_group']
    assert {r['id'] for r in shown['rules']} == {rule['id'], icmp['id']}   # peer's rule gone
    assert napi.call('DELETE', rules + '/%s' % icmp['id'])[0] == 202
    assert napi.call('GET', sgs + '/%s' % sg['id'], token=napi.other)[0] == 404

    _, net = _topology(napi)
    server, port = _server(napi, net)
    act = V + '/servers/%s/action' % server
    assert napi.call('POST', act, {'addSecurityGroup': {'name': 'web'}})[0] == 202
    listed = napi.ok('GET', V + '/servers/%s/os-security-groups' % server)['security_groups']
    assert {g['name'] for g in listed} == {'default', 'web'}
    assert napi.call('DELETE', sgs + '/%s' % sg['id'])[0] == 400         # in use
    assert napi.call('POST', act, {'removeSecurityGroup': {'name': 'web'}})[0] == 202
    assert napi.net.request('GET', '/v2.0/ports/%s' % port['id'])['port'][
        'security_groups'] == [default['id']]
    assert napi.call('DELETE', sgs + '/%s' % sg['id'])[0] == 202


def test_floating_ips_and_networks_over_the_network_api(napi):
    ext, net = _topology(napi)
    assert napi.ok('GET', V + '/os-floating-ip-pools') == {
        'floating_ip_pools': [{'name': 'public'}]}
    fip = napi.ok('POST', V + '/os-floating-ips', {'pool': 'public'})['floating_ip']
    assert fip['ip'].startswith('203.0.113.') and fip['pool'] == 'public'
    by_id = napi.ok('POST', V + '/os-floating-ips', {'pool': ext['id']})['floating_ip']
    assert napi.ok('GET', V + '/os-floating-ips/%s' % fip['id'])['floating_ip'] in \
        napi.ok('GET', V + '/os-floating-ips')['floating_ips']
    assert napi.call('POST', V + '/os-floating-ips', {'pool': 'nope'})[0] == 404

    server, port = _server(napi, net)
    act = V + '/servers/%s/action' % server
    assert napi.call('POST', act, {'addFloatingIp': {'address': fip['ip']}})[0] == 202
    shown = napi.ok('GET', V + '/os-floating-ips/%s' % fip['id'])['floating_ip']
    assert shown['instance_id'] == server
    assert shown['fixed_ip'] == port['fixed_ips'][0]['ip_address']
    # a second address for the same fixed IP: the network service refuses, Nova's 400
    assert napi.call('POST', act, {'addFloatingIp': {'address': by_id['ip']}})[0] == 400
    assert napi.call('POST', act, {'removeFloatingIp': {'address': by_id['ip']}})[0] == 409
    assert napi.call('POST', act, {'removeFloatingIp': {'address': fip['ip']}})[0] == 202
    assert napi.ok('GET', V + '/os-floating-ips/%s' % fip['id'])['floating_ip'][
        'instance_id'] is None
    assert napi.call('DELETE', V + '/os-floating-ips/%s' % fip['id'])[0] == 202
    assert napi.call('GET', V + '/os-floating-ips/%s' % fip['id'])[0] == 404

    nets = napi.ok('GET', V + '/os-networks')['networks']
    assert {n['label'] for n in nets} >= {'public', 'private'}
    shown = napi.ok('GET', V + '/os-networks/%s' % net['id'])['network']
    assert shown['cidr'] == '10.0.0.0/24' and shown['gateway'] == '10.0.0.1'
    tenant = napi.ok('GET', V + '/os-tenant-networks/%s' % net['id'])['network']
    assert tenant == {'id': net['id'], 'label': 'private', 'cidr': '10.0.0.0/24'}
    assert napi.call('GET', V + '/os-tenant-networks/%s' % net['id'],
                     token=napi.other)[0] == 404
