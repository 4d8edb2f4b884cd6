"""extra_dhcp_opt and dns-integration on ports: what the API stores and refuses, and what
the DHCP agent's state carries."""
import pytest

from network import rpcapi
from network.state import NetworkState

pytestmark = pytest.mark.timeout(60)


def _net(api):
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'n'}})['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                'cidr': '10.31.0.0/24'}})
    return net


def test_extra_dhcp_opts_created_merged_and_removed(api):
    net = _net(api)
    port = api.ok('POST', '/v2.0/ports', {'port': {
        'network_id': net['id'], 'extra_dhcp_opts': [
            {'opt_name': 'bootfile-name', 'opt_value': 'pxelinux.0'},
            {'opt_name': 'TFTP-Server', 'opt_value': '10.31.0.9', 'ip_version': '4'},
            {'opt_name': '42', 'opt_value': '10.31.0.1,10.31.0.2', 'ip_version': 4}]}})['port']
    assert port['extra_dhcp_opts'] == [
        {'opt_name': '42', 'opt_value': '10.31.0.1,10.31.0.2', 'ip_version': 4},
        {'opt_name': 'bootfile-name', 'opt_value': 'pxelinux.0', 'ip_version': 4},
        {'opt_name': 'tftp-server', 'opt_value': '10.31.0.9', 'ip_version': 4}]
    path = '/v2.0/ports/%s' % port['id']
    # an update changes the named options, a null value removes one, others stay
    shown = api.ok('PUT', path, {'port': {'extra_dhcp_opts': [
        {'opt_name': 'bootfile-name', 'opt_value': 'ipxe.efi'},
        {'opt_name': '42', 'opt_value': None},
        {'opt_name': 'dns-server', 'opt_value': '[fd00::53]', 'ip_version': 6}]}})['port']
    assert shown['extra_dhcp_opts'] == [
        {'opt_name': 'bootfile-name', 'opt_value': 'ipxe.efi', 'ip_version': 4},
        {'opt_name': 'tftp-server', 'opt_value': '10.31.0.9', 'ip_version': 4},
        {'opt_name': 'dns-server', 'opt_value': '[fd00::53]', 'ip_version': 6}]
    assert api.ok('GET', path)['port']['extra_dhcp_opts'] == shown['extra_dhcp_opts']


@pytest.mark.parametrize('opt', [
    {'opt_name': 'bootfile-name', 'opt_value': 'a\nb'},
    {'opt_name': 'bootfile-name', 'opt_value': 'a,tag:other,option:router,1.2.3.4'},
    {'opt_name': 'bootfile-name', 'opt_value': 'x,set:evil'},
    {'opt_name': 'bootfile-name', 'opt_value': 'x,net:other'},
    {'opt_name': 'bootfile-name', 'opt_value': 'a b'},
    {'opt_name': 'bootfile-name', 'opt_value': '"quoted"'},
    {'opt_name': 'bootfile-name', 'opt_value': 'a,,b'},
    {'opt_name': 'bootfile-name', 'opt_value': ''},
    {'opt_name': 'bootfile-name', 'opt_value': 'x' * 256},
    {'opt_name': 'router,tag:x', 'opt_value': '1.2.3.4'},
    {'opt_name': 'tag:x', 'opt_value': '1'},
    {'opt_name': 'no-such-option', 'opt_value': '1'},
    {'opt_name': '255', 'opt_value': '1'},
    {'opt_name': '0', 'opt_value': '1'},
    {'opt_name': 'bootfile-url', 'opt_value': 'x'},             # a DHCPv6-only name on v4
    {'opt_name': 'bootfile-name', 'opt_value': 'x', 'ip_version': 5},
    {'opt_name': 'bootfile-name', 'opt_value': 'x', 'extra': 1},
    {'opt_value': 'x'},
    {'opt_name': 7, 'opt_value': 'x'},
])
def test_extra_dhcp_opts_refuses_injection_and_junk(api, opt):
    net = _net(api)
    code, body = api.call('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                                           'extra_dhcp_opts': [opt]}})
    assert code == 400, body
    assert api.ok('GET', '/v2.0/ports?network_id=%s' % net['id'])['ports'] == []


def test_extra_dhcp_opts_duplicate_refused(api):
    net = _net(api)
    opts = [{'opt_name': 'mtu', 'opt_value': '1400'}, {'opt_name': 'MTU', 'opt_value': '9000'}]
    code, body = api.call('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                                           'extra_dhcp_opts': opts}})
    assert code == 400 and 'Duplicate' in body['NeutronError']['message']


def test_dns_name_and_assignment(api):
    net = _net(api)
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id'],
                                                   'dns_name': 'Web-1'}})['port']
    ip = port['fixed_ips'][0]['ip_address']
    assert port['dns_name'] == 'web-1'
    assert port['dns_assignment'] == [{'hostname': 'web-1', 'ip_address': ip,
                                       'fqdn': 'web-1.openstacklocal.'}]
    path = '/v2.0/ports/%s' % port['id']
    shown = api.ok('PUT', path, {'port': {'dns_name': ''}})['port']
    assert shown['dns_name'] == ''
    assert shown['dns_assignment'][0]['hostname'] == 'host-%s' % ip.replace('.', '-')
    for bad in ('-web', 'web-', 'a.b', 'a_b', '12345', 'x' * 64, 'web\n', 'a b', 5):
        code, body = api.call('PUT', path, {'port': {'dns_name': bad}})
        assert code == 400, (bad, body)
    assert api.ok('GET', path)['port']['dns_name'] == ''


def test_dhcp_agent_state_carries_options_and_name(api, network_conf_obj):
    net = _net(api)
    port = api.ok('POST', '/v2.0/ports', {'port': {
        'network_id': net['id'], 'dns_name': 'vm7',
        'extra_dhcp_opts': [{'opt_name': 'bootfile-name', 'opt_value': 'pxelinux.0'}]}})['port']
    host_state = NetworkState.get(network_conf_obj).core.hoststate.get('h1', rpcapi.AGENT_DHCP)
    [network] = [n for n in host_state['networks'] if n['id'] == net['id']]
    [entry] = [p for p in network['ports'] if p['id'] == port['id']]
    assert entry['dns_name'] == 'vm7'
    assert entry['extra_dhcp_opts'] == [{'opt_name': 'bootfile-name',
                                         'opt_value': 'pxelinux.0', 'ip_version': 4}]


def test_extensions_listed(api):
    aliases = {e['alias'] for e in api.ok('GET', '/v2.0/extensions')['extensions']}
    assert {'extra_dhcp_opt', 'dns-integration', 'flavors'} <= aliases


def test_network_dns_domain(api):
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'd',
                                                        'dns_domain': 'Example.ORG.'}})['network']
    assert net['dns_domain'] == 'example.org.'
    path = '/v2.0/networks/%s' % net['id']
    assert api.ok('PUT', path, {'network': {'dns_domain': 'a.example'}})['network'][
        'dns_domain'] == 'a.example'
    for bad in ('example', 'a..b', '-a.b', 'a.123', 'a b.c', 'a.b\n', 'x' * 64 + '.org', 7):
        code, body = api.call('PUT', path, {'network': {'dns_domain': bad}})
        assert code == 400, (bad, body)
    assert api.ok('PUT', path, {'network': {'dns_domain': ''}})['network']['dns_domain'] == ''
