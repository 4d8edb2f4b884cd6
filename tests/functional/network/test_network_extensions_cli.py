"""The Neutron extensions with the stock `openstack` client against a real network-api:
each command as a user types it, logged in at a real identity-api (the client resolves
projects there) with the network endpoint pointed at the daemon."""
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from network_api_helpers import DATABASES  # noqa: E402

pytestmark = pytest.mark.timeout(300)


class _IdentityTokens:
    """What start_daemon needs of a token source, over a real identity-api: the client
    resolves project names and ids (`--target-project`) in identity's catalog."""

    def __init__(self, identity):
        self.url = identity.url


@pytest.fixture
def token_source(identity):
    return _IdentityTokens(identity)


def _other_user(identity):
    """Project and user ``other`` (member), made once per identity server."""
    admin = identity.token()
    status, _, body = identity.request('POST', '/v3/projects',
                                       {'project': {'name': 'other'}}, admin)
    if status == 201:
        project_id = body['project']['id']
        _, _, body = identity.request('POST', '/v3/users', {'user': {
            'name': 'other', 'password': 'other-pw', 'default_project_id': project_id}},
            admin)
        identity.request('PUT', '/v3/projects/%s/users/%s/roles/%s' % (
            project_id, body['user']['id'], identity.role_ids['member']), token=admin)
    _, _, body = identity.request('GET', '/v3/projects?name=other', token=admin)
    return body['projects'][0]['id']


@pytest.fixture
def cli(tmp_path, identity, start_daemon):
    """``cli(*args, user=..., ok=True)``: run `openstack` as a user of identity, with the
    network endpoint overridden to the daemon (JSON when ``-f json``)."""
    daemon = start_daemon(next(DATABASES['sqlite'](tmp_path)))
    openstack = os.path.join(os.path.dirname(sys.executable), 'openstack')
    other_id = _other_user(identity)
    envs = {'demo': identity.os_env('demo'), 'admin': identity.os_env('admin'),
            'other': dict(identity.os_env('demo'), OS_USERNAME='other',
                          OS_PASSWORD='other-pw', OS_PROJECT_NAME='other')}

    def run(*args, user='demo', ok=True):
        env = dict(os.environ, OS_NETWORK_ENDPOINT_OVERRIDE=daemon.url, **envs[user])
        env.pop('OS_CLOUD', None)
        proc = subprocess.run([openstack] + list(args), env=env, capture_output=True,
                              text=True, timeout=120)
        if not ok:
            assert proc.returncode != 0, proc.stdout
            return proc.stderr
        assert proc.returncode == 0, proc.stderr[-3000:]
        return json.loads(proc.stdout) if '-f' in args and proc.stdout.strip() else \
            proc.stdout
    run.other_id = other_id
    return run


def test_small_extensions_with_the_openstack_client(cli):
    # router add/remove route (extraroute-atomic)
    cli('network', 'create', 'inner', '-f', 'json')
    cli('subnet', 'create', 'inner-sub', '--network', 'inner', '--subnet-range',
        '10.20.0.0/24', '-f', 'json')
    cli('router', 'create', 'r1', '-f', 'json')
    cli('router', 'add', 'subnet', 'r1', 'inner-sub')
    cli('router', 'add', 'route', 'r1', '--route', 'destination=192.168.9.0/24,'
        'gateway=10.20.0.9', '--route', 'destination=192.168.8.0/24,gateway=10.20.0.8')
    routes = cli('router', 'show', 'r1', '-f', 'json')['routes']
    assert sorted(r['destination'] for r in routes) == ['192.168.8.0/24', '192.168.9.0/24']
    cli('router', 'remove', 'route', 'r1', '--route',
        'destination=192.168.9.0/24,gateway=10.20.0.9')
    routes = cli('router', 'show', 'r1', '-f', 'json')['routes']
    assert [r['destination'] for r in routes] == ['192.168.8.0/24']

    # network create --external --default: one default external network
    pub = cli('network', 'create', 'pub', '--external', '--default', '-f', 'json',
              user='admin')
    assert pub['is_default'] is True and pub['router:external'] is True
    err = cli('network', 'create', 'pub2', '--external', '--default', user='admin',
              ok=False)
    assert 'Default external network' in err

    # port set --mac-address with a MAC Neutron accepts
    cli('port', 'create', 'p1', '--network', 'inner', '-f', 'json')
    cli('port', 'set', '--mac-address', '11:22:33:44:55:66', 'p1', user='admin')
    assert cli('port', 'show', 'p1', '-f', 'json')['mac_address'] == '11:22:33:44:55:66'

    # ip availability list/show (admin)
    listed = cli('ip', 'availability', 'list', '-f', 'json', user='admin')
    inner = [n for n in listed if n['Network Name'] == 'inner']
    assert len(inner) == 1 and inner[0]['Total IPs'] == 253
    shown = cli('ip', 'availability', 'show', 'inner', '-f', 'json', user='admin')
    assert shown['used_ips'] == 2      # the router interface and p1

    # network service provider list
    providers = cli('network', 'service', 'provider', 'list', '-f', 'json')
    assert providers == [{'Service Type': 'L3_ROUTER_NAT', 'Name': 'l3_agent',
                          'Default': True}]


def test_network_rbac_with_the_openstack_client(cli):
    net = cli('network', 'create', 'mine', '-f', 'json')
    cli('subnet', 'create', 'mine-sub', '--network', 'mine', '--subnet-range',
        '10.21.0.0/24', '-f', 'json')
    assert 'mine' not in [n['Name'] for n in cli('network', 'list', '-f', 'json',
                                                    user='other')]
    policy = cli('network', 'rbac', 'create', '--type', 'network', '--action',
                 'access_as_shared', '--target-project', cli.other_id, net['id'], '-f',
                 'json')
    assert policy['target_project_id'] == cli.other_id and policy['object_id'] == net['id']
    listed = cli('network', 'rbac', 'list', '-f', 'json')
    assert [p['ID'] for p in listed] == [policy['id']]
    shown = cli('network', 'rbac', 'show', policy['id'], '-f', 'json')
    assert shown['action'] == 'access_as_shared'
    # the other project now sees the network and puts a port on it
    assert 'mine' in [n['Name'] for n in cli('network', 'list', '-f', 'json',
                                                user='other')]
    port = cli('port', 'create', 'theirs', '--network', net['id'], '-f', 'json',
               user='other')
    err = cli('network', 'rbac', 'delete', policy['id'], ok=False)
    assert 'cannot be removed' in err or '409' in err
    cli('port', 'delete', port['id'], user='other')
    cli('network', 'rbac', 'delete', policy['id'])
    assert cli('network', 'rbac', 'list', '-f', 'json') == []
    # a grant to every project is the admin's
    err = cli('network', 'rbac', 'create', '--type', 'network', '--action',
              'access_as_shared', '--target-all-projects', net['id'], ok=False)
    assert '403' in err or 'not allowed' in err.lower() or 'disallowed' in err.lower()


def test_subnet_pools_and_address_scopes_with_the_openstack_client(cli):
    cli('address', 'scope', 'create', '--ip-version', '4', 'scope4', '-f', 'json')
    pool = cli('subnet', 'pool', 'create', '--pool-prefix', '10.22.0.0/16',
               '--default-prefix-length', '24', '--address-scope', 'scope4', 'pool4',
               '-f', 'json')
    assert pool['prefixes'] == ['10.22.0.0/16']
    cli('network', 'create', 'pooled', '-f', 'json')
    sub = cli('subnet', 'create', '--network', 'pooled', '--subnet-pool', 'pool4',
              '--prefix-length', '26', 'sub26', '-f', 'json')
    assert sub['cidr'] == '10.22.0.0/26' and sub['subnetpool_id'] == pool['id']
    sub = cli('subnet', 'create', '--network', 'pooled', '--subnet-pool', 'pool4',
              'sub24', '-f', 'json')
    assert sub['cidr'] == '10.22.1.0/24'
    err = cli('address', 'scope', 'delete', 'scope4', ok=False)
    assert 'in use' in err or 'Failed' in err
    # the operator's default pool serves --use-default-subnet-pool
    cli('subnet', 'pool', 'create', '--pool-prefix', '10.23.0.0/16',
        '--default-prefix-length', '24', '--default', '--share', 'default4', '-f', 'json',
        user='admin')
    cli('network', 'create', 'theirs', '-f', 'json', user='other')
    sub = cli('subnet', 'create', '--network', 'theirs', '--use-default-subnet-pool',
              '--ip-version', '4', 'auto', '-f', 'json', user='other')
    assert sub['cidr'] == '10.23.0.0/24'
    listed = cli('subnet', 'pool', 'list', '-f', 'json', user='other')
    assert [p['Name'] for p in listed] == ['default4']


def test_qos_with_the_openstack_client(cli):
    policy = cli('network', 'qos', 'policy', 'create', '--share', 'gold', '-f', 'json',
                 user='admin')
    cli('network', 'qos', 'rule', 'create', '--type', 'bandwidth-limit', '--max-kbps',
        '1000', '--max-burst-kbits', '100', '--ingress', 'gold', '-f', 'json', user='admin')
    cli('network', 'qos', 'rule', 'create', '--type', 'dscp-marking', '--dscp-mark', '26',
        'gold', '-f', 'json', user='admin')
    rules = cli('network', 'qos', 'rule', 'list', 'gold', '-f', 'json')
    assert sorted(r['Type'] for r in rules) == ['bandwidth_limit', 'dscp_marking']
    types = cli('network', 'qos', 'rule', 'type', 'list', '-f', 'json')
    assert sorted(t['Type'] for t in types) == ['bandwidth_limit', 'dscp_marking']
    cli('network', 'create', 'qnet', '--qos-policy', 'gold', '-f', 'json')
    cli('port', 'create', 'qport', '--network', 'qnet', '-f', 'json')
    cli('port', 'set', '--qos-policy', 'gold', 'qport')
    assert cli('port', 'show', 'qport', '-f', 'json')['qos_policy_id'] == policy['id']
    err = cli('network', 'qos', 'policy', 'delete', 'gold', user='admin', ok=False)
    assert 'used' in err or 'in use' in err or '409' in err
    cli('port', 'unset', '--qos-policy', 'qport')
    cli('network', 'set', '--no-qos-policy', 'qnet')
    cli('network', 'qos', 'policy', 'delete', 'gold', user='admin')


def test_extra_dhcp_opts_and_dns_name_with_the_openstack_client(cli):
    net = cli('network', 'create', 'boot', '--dns-domain', 'Boot.Example.', '-f', 'json')
    assert net['dns_domain'] == 'boot.example.'
    err = cli('network', 'set', 'boot', '--dns-domain', 'nodots', ok=False)
    assert 'dns_domain' in err
    cli('subnet', 'create', 'boot-sub', '--network', 'boot', '--subnet-range',
        '10.21.0.0/24', '-f', 'json')
    port = cli('port', 'create', 'pxe', '--network', 'boot', '--dns-name', 'pxe-host',
               '--extra-dhcp-option', 'name=bootfile-name,value=pxelinux.0',
               '--extra-dhcp-option', 'name=tftp-server,value=10.21.0.9,ip-version=4',
               '-f', 'json')
    assert port['dns_name'] == 'pxe-host'
    assert sorted((o['opt_name'], o['opt_value'], o['ip_version'])
                  for o in port['extra_dhcp_opts']) == [
        ('bootfile-name', 'pxelinux.0', 4), ('tftp-server', '10.21.0.9', 4)]
    ip = port['fixed_ips'][0]['ip_address']
    assert port['dns_assignment'] == [{'hostname': 'pxe-host', 'ip_address': ip,
                                       'fqdn': 'pxe-host.openstacklocal.'}]
    cli('port', 'set', 'pxe', '--extra-dhcp-option', 'name=bootfile-name,value=ipxe.efi',
        '--dns-name', 'pxe2')
    shown = cli('port', 'show', 'pxe', '-f', 'json')
    assert shown['dns_name'] == 'pxe2'
    assert {o['opt_name']: o['opt_value'] for o in shown['extra_dhcp_opts']} == {
        'bootfile-name': 'ipxe.efi', 'tftp-server': '10.21.0.9'}
    # injections into dnsmasq's files are refused with a 400 naming the field
    err = cli('port', 'set', 'pxe', '--extra-dhcp-option',
              'name=bootfile-name,value=x tag:other', ok=False)
    assert 'opt_value' in err
    err = cli('port', 'create', 'bad', '--network', 'boot', '--extra-dhcp-option',
              'name=no-such-option,value=1', ok=False)
    assert 'opt_name' in err
    err = cli('port', 'set', 'pxe', '--dns-name', 'a_b', ok=False)
    assert 'dns_name' in err
    shown = cli('port', 'show', 'pxe', '-f', 'json')
    assert shown['dns_name'] == 'pxe2'
    assert [p['Name'] for p in cli('port', 'list', '--network', 'boot', '-f', 'json')] \
        == ['pxe']


def test_network_flavors_and_profiles_with_the_openstack_client(cli):
    flavor = cli('network', 'flavor', 'create', '--service-type', 'L3_ROUTER_NAT',
                 '--description', 'fast routers', 'gold', '-f', 'json', user='admin')
    assert flavor['name'] == 'gold' and flavor['service_type'] == 'L3_ROUTER_NAT'
    err = cli('network', 'flavor', 'create', '--service-type', 'L3_ROUTER_NAT', 'mine',
              ok=False)
    assert '403' in err or 'not allowed' in err.lower() or 'forbidden' in err.lower()
    err = cli('network', 'flavor', 'create', '--service-type', 'NOPE', 'bad', ok=False,
              user='admin')
    assert 'NOPE' in err
    profile = cli('network', 'flavor', 'profile', 'create', '--driver', 'l3_agent',
                  '--metainfo', '{"ha": false}', '--description', 'plain', '-f', 'json',
                  user='admin')
    assert profile['driver'] == 'l3_agent' and profile['enabled'] is True
    cli('network', 'flavor', 'add', 'profile', 'gold', profile['id'], user='admin')
    shown = cli('network', 'flavor', 'show', 'gold', '-f', 'json')     # members read
    assert shown['service_profile_ids'] == [profile['id']]
    listed = cli('network', 'flavor', 'list', '-f', 'json')
    assert [(f['Name'], f['Service Type']) for f in listed] == [('gold', 'L3_ROUTER_NAT')]
    assert [p['ID'] for p in cli('network', 'flavor', 'profile', 'list', '-f', 'json',
                                 user='admin')] == [profile['id']]
    cli('network', 'flavor', 'remove', 'profile', 'gold', profile['id'], user='admin')
    assert cli('network', 'flavor', 'show', 'gold', '-f', 'json')['service_profile_ids'] == []
    cli('network', 'flavor', 'profile', 'delete', profile['id'], user='admin')
    cli('network', 'flavor', 'delete', 'gold', user='admin')
    assert cli('network', 'flavor', 'list', '-f', 'json') == []


def test_network_trunk_with_the_openstack_client(cli):
    cli('network', 'create', 'tr-parent', '-f', 'json')
    cli('subnet', 'create', 'tr-parent-sub', '--network', 'tr-parent', '--subnet-range',
        '10.22.0.0/24', '-f', 'json')
    cli('network', 'create', 'tr-vlan', '-f', 'json')
    cli('subnet', 'create', 'tr-vlan-sub', '--network', 'tr-vlan', '--subnet-range',
        '10.23.0.0/24', '-f', 'json')
    parent = cli('port', 'create', 'tp', '--network', 'tr-parent', '-f', 'json')
    s1 = cli('port', 'create', 'ts1', '--network', 'tr-vlan', '-f', 'json')
    s2 = cli('port', 'create', 'ts2', '--network', 'tr-vlan', '-f', 'json')
    trunk = cli('network', 'trunk', 'create', '--parent-port', 'tp', '--subport',
                'port=ts1,segmentation-type=vlan,segmentation-id=100', 'trunk1', '-f', 'json')
    assert trunk['port_id'] == parent['id'] and trunk['status'] == 'DOWN'
    assert trunk['sub_ports'] == [{'port_id': s1['id'], 'segmentation_type': 'vlan',
                                   'segmentation_id': 100}]
    cli('network', 'trunk', 'set', '--subport',
        'port=ts2,segmentation-type=vlan,segmentation-id=200', 'trunk1')
    subports = cli('network', 'subport', 'list', '--trunk', 'trunk1', '-f', 'json')
    assert sorted((s['Port'], s['Segmentation ID']) for s in subports) == sorted(
        [(s1['id'], 100), (s2['id'], 200)])
    assert cli('port', 'show', 'ts2', '-f', 'json')['device_owner'] == 'trunk:subport'
    # a VLAN id used twice, a port in use, and deleting a port the trunk needs: refused
    err = cli('network', 'trunk', 'set', '--subport',
              'port=tp,segmentation-type=vlan,segmentation-id=300', 'trunk1', ok=False)
    assert 'tp' in err or parent['id'] in err
    err = cli('port', 'delete', 'ts1', ok=False)
    assert 'subport' in err.lower()
    cli('network', 'trunk', 'unset', '--subport', 'ts1', 'trunk1')
    shown = cli('network', 'trunk', 'show', 'trunk1', '-f', 'json')
    assert [s['port_id'] for s in shown['sub_ports']] == [s2['id']]
    assert [t['Name'] for t in cli('network', 'trunk', 'list', '-f', 'json')] == ['trunk1']
    cli('network', 'trunk', 'delete', 'trunk1')
    assert cli('network', 'trunk', 'list', '-f', 'json') == []
    assert cli('port', 'show', 'ts2', '-f', 'json')['device_owner'] == ''
    cli('port', 'delete', 'tp', 'ts1', 'ts2')


def test_port_forwarding_and_metering_with_the_openstack_client(cli):
    cli('network', 'create', 'pub', '--external', '-f', 'json', user='admin')
    cli('subnet', 'create', 'pub-sub', '--network', 'pub', '--subnet-range',
        '203.0.113.0/24', '--no-dhcp', '-f', 'json', user='admin')
    cli('network', 'create', 'inner', '-f', 'json')
    cli('subnet', 'create', 'inner-sub', '--network', 'inner', '--subnet-range',
        '10.30.0.0/24', '-f', 'json')
    cli('router', 'create', 'r1', '--external-gateway', 'pub', '-f', 'json')
    cli('router', 'add', 'subnet', 'r1', 'inner-sub')
    port = cli('port', 'create', 'vm', '--network', 'inner', '-f', 'json')
    fip = cli('floating', 'ip', 'create', 'pub', '-f', 'json')
    address = port['fixed_ips'][0]['ip_address']
    pf = cli('floating', 'ip', 'port', 'forwarding', 'create', '--port', 'vm',
             '--internal-ip-address', address, '--internal-protocol-port', '22',
             '--external-protocol-port', '2222', '--protocol', 'tcp',
             '--description', 'ssh', fip['id'], '-f', 'json')
    assert pf['external_port'] == 2222 and pf['internal_port'] == 22
    err = cli('floating', 'ip', 'port', 'forwarding', 'create', '--port', 'vm',
              '--internal-ip-address', address, '--internal-protocol-port', '23',
              '--external-protocol-port', '2222', '--protocol', 'tcp', fip['id'], ok=False)
    assert '2222' in err
    cli('floating', 'ip', 'port', 'forwarding', 'set', '--external-protocol-port', '2200',
        fip['id'], pf['id'])
    shown = cli('floating', 'ip', 'port', 'forwarding', 'show', fip['id'], pf['id'],
                '-f', 'json')
    assert shown['external_port'] == 2200 and shown['description'] == 'ssh'
    listed = cli('floating', 'ip', 'port', 'forwarding', 'list', fip['id'], '-f', 'json')
    assert [p['ID'] for p in listed] == [pf['id']]
    cli('floating', 'ip', 'port', 'forwarding', 'delete', fip['id'], pf['id'])
    assert cli('floating', 'ip', 'port', 'forwarding', 'list', fip['id'], '-f', 'json') == []

    label = cli('network', 'meter', 'create', 'web', '--description', 'w', '-f', 'json',
                user='admin')
    rule = cli('network', 'meter', 'rule', 'create', '--ingress', '--remote-ip-prefix',
               '198.51.100.0/24', 'web', '-f', 'json', user='admin')
    assert rule['direction'] == 'ingress' and rule['metering_label_id'] == label['id']
    assert [r['ID'] for r in cli('network', 'meter', 'rule', 'list', '-f', 'json',
                                 user='admin')] == [rule['id']]
    cli('network', 'meter', 'create', 'x', user='demo', ok=False)
    cli('network', 'meter', 'rule', 'delete', rule['id'], user='admin')
    cli('network', 'meter', 'delete', 'web', user='admin')
