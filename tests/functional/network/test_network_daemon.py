"""network-api as a real daemon: openstacksdk, the agent RPC over RabbitMQ, and IPAM that
never hands out an address twice under 20 concurrent clients on SQLite, MariaDB and
PostgreSQL."""
import concurrent.futures
import os
import sys
import time

import pytest

from common import context
from common import rpc
from network import rpcapi

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from network_api_helpers import AMQP, DATABASES, http  # noqa: E402

pytestmark = pytest.mark.timeout(300)


def test_openstacksdk_walkthrough_and_agent_rpc(tmp_path, token_source, start_daemon):
    import openstack.connection
    daemon = start_daemon(next(DATABASES['sqlite'](tmp_path)))
    admin = openstack.connection.Connection(
        session=_session(token_source.admin()), network_endpoint_override=daemon.url)
    demo = openstack.connection.Connection(
        session=_session(token_source.token('demo')),
        network_endpoint_override=daemon.url)
    ext = admin.network.create_network(name='public', is_router_external=True)
    admin.network.create_subnet(network_id=ext.id, cidr='203.0.113.0/24', ip_version=4,
                                is_dhcp_enabled=False)
    net = demo.network.create_network(name='private')
    sub = demo.network.create_subnet(network_id=net.id, cidr='10.0.0.0/24', ip_version=4,
                                     allocation_pools=[{'start': '10.0.0.10',
                                                        'end': '10.0.0.20'}])
    port = demo.network.create_port(network_id=net.id, name='vm-port')
    # the address comes from the pool, wherever in it IPAM chose to start
    last_octet = int(port.fixed_ips[0]['ip_address'].rsplit('.', 1)[1])
    assert port.fixed_ips[0]['ip_address'].startswith('10.0.0.') and 10 <= last_octet <= 20
    router = demo.network.create_router(name='r1', external_gateway_info={
        'network_id': ext.id})
    demo.network.add_interface_to_router(router, subnet_id=sub.id)
    fip = demo.network.create_ip(floating_network_id=ext.id, port_id=port.id)
    assert fip.fixed_ip_address == port.fixed_ips[0]['ip_address']
    sg = demo.network.create_security_group(name='web')
    rule = demo.network.create_security_group_rule(
        security_group_id=sg.id, direction='ingress', protocol='tcp', port_range_min=22,
        port_range_max=22, remote_ip_prefix='0.0.0.0/0', ether_type='IPv4')
    assert rule.port_range_min == 22
    names = sorted(n.name for n in demo.network.networks())
    assert names == ['private', 'public']
    assert [p.id for p in demo.network.ports(network_id=net.id, device_owner='')] == [port.id]
    # agents over real RabbitMQ: heartbeat, host state, port status
    transport = rpc.get_transport(AMQP)
    try:
        client = rpcapi.PluginApi(transport, timeout=20)
        ctx = context.RequestContext.admin_context()
        client.report_state(ctx, {'binary': 'network-l3-agent', 'host': 'node1',
                                  'agent_type': rpcapi.AGENT_L3, 'topic': 'network-agent-l3',
                                  'configurations': {}})
        agents = list(admin.network.agents())
        assert [(a.agent_type, a.host, a.is_alive) for a in agents] == \
            [(rpcapi.AGENT_L3, 'node1', True)]
        state = client.get_host_state(ctx, 'node1', rpcapi.AGENT_L3)
        assert state['routers'][0]['floating_ips'][0]['id'] == fip.id
        assert client.update_port_status(ctx, port.id, 'ACTIVE', 'node1') is True
        assert demo.network.get_port(port.id).status == 'ACTIVE'
    finally:
        transport.cleanup()
    demo.network.update_ip(fip, port_id=None)
    demo.network.delete_ip(fip)
    demo.network.remove_interface_from_router(router, subnet_id=sub.id)
    demo.network.delete_router(router)
    demo.network.delete_port(port)
    demo.network.delete_network(net)
    assert [n.name for n in demo.network.networks()] == ['public']


def _session(token):
    from keystoneauth1 import session as ks_session
    from keystoneauth1 import token_endpoint
    return ks_session.Session(auth=token_endpoint.Token('http://unused', token))


@pytest.mark.parametrize('backend', ['sqlite', 'mariadb', 'postgresql'])
def test_1000_concurrent_ports_get_1000_distinct_addresses(backend, tmp_path, token_source,
                                                           start_daemon):
    dbgen = DATABASES[backend](tmp_path)
    db_url = next(dbgen)
    try:
        first = start_daemon(db_url)
        second = start_daemon(db_url)  # after the first migrated the schema
        token = token_source.admin()
        api = http(token)
        net = api.post(first.url + '/v2.0/networks', json={'network': {'name': 'big'}}).json()
        net_id = net['network']['id']
        resp = api.post(first.url + '/v2.0/subnets', json={'subnet': {
            'network_id': net_id, 'cidr': '10.20.0.0/22', 'ip_version': 4}})
        assert resp.status_code == 201, resp.text
        api.put(first.url + '/v2.0/quotas/admin', json={'quota': {'port': -1}})

        def client(index):
            sess = http(token)
            base = (first if index % 2 else second).url
            ips = []
            for _ in range(50):
                r = sess.post(base + '/v2.0/ports', json={'port': {'network_id': net_id}},
                              timeout=60)
                assert r.status_code == 201, r.text
                ips.append(r.json()['port']['fixed_ips'][0]['ip_address'])
            return ips

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            results = list(pool.map(client, range(20)))
        elapsed = time.monotonic() - started
        ips = [ip for chunk in results for ip in chunk]
        assert len(ips) == 1000 and len(set(ips)) == 1000
        listed = api.get(first.url + '/v2.0/ports', params={'network_id': net_id,
                                                             'limit': 2000}).json()['ports']
        assert len({p['fixed_ips'][0]['ip_address'] for p in listed}) == 1000
        print('%s: 1000 ports by 20 clients over 2 daemons in %.1fs' % (backend, elapsed))
    finally:
        for proc in (start_daemon,):
            del proc
        try:
            next(dbgen)
        except StopIteration:
            pass


def test_network_cli_against_daemon(tmp_path, token_source, start_daemon):
    import json
    import subprocess
    daemon = start_daemon(next(DATABASES['sqlite'](tmp_path)))
    env = dict(os.environ, OS_URL=daemon.url, OS_TOKEN=token_source.token('demo'))

    def cli(*args, ok=True):
        proc = subprocess.run([sys.executable, '-m', 'network.cli', '-f', 'json'] + list(args),
                              env=env, capture_output=True, text=True, timeout=60)
        assert (proc.returncode == 0) == ok, proc.stderr
        return json.loads(proc.stdout) if ok and proc.stdout.strip() else proc.stderr

    net = cli('network', 'create', 'clinet')
    sub = cli('subnet', 'create', 'clisub', '--network', 'clinet', '--cidr', '10.3.0.0/24')
    assert sub['network_id'] == net['id']
    port = cli('port', 'create', 'cliport', '--network', 'clinet')
    assert port['fixed_ips'][0]['subnet_id'] == sub['id']
    router = cli('router', 'create', 'clir')
    cli('router', 'add-subnet', 'clir', 'clisub')
    err = cli('subnet', 'create', 'bad', '--network', 'clinet', '--cidr', '10.3.0.7/24',
              ok=False)
    assert '400' in err and '10.3.0.0/24' in err
    rule = cli('security-group-rule', 'create', 'default', '--protocol', 'tcp',
               '--dst-port', '22', '--remote-ip', '0.0.0.0/0')
    assert rule['port_range_max'] == 22
    assert [p['id'] for p in cli('port', 'list') if p['id'] == port['id']]
    cli('router', 'remove-subnet', 'clir', 'clisub')
    cli('router', 'delete', router['id'])
    cli('port', 'delete', 'cliport')
    cli('network', 'delete', 'clinet')
    assert cli('network', 'list') == []


def test_openstack_client_sets_and_filters_tags(tmp_path, token_source, start_daemon):
    """`openstack network set --tag` / `network list --tags` as a user types them."""
    import json
    import subprocess
    daemon = start_daemon(next(DATABASES['sqlite'](tmp_path)))
    env = dict(os.environ, OS_AUTH_TYPE='token_endpoint', OS_ENDPOINT=daemon.url,
               OS_TOKEN=token_source.token('demo'))
    openstack = os.path.join(os.path.dirname(sys.executable), 'openstack')

    def run(*args):
        proc = subprocess.run([openstack] + list(args), env=env, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout) if '-f' in args else proc.stdout
    run('network', 'create', 'tagged', '--tag', 'blue', '-f', 'json')
    run('network', 'create', 'plain', '-f', 'json')
    run('network', 'set', '--tag', 'red', 'tagged')
    assert sorted(run('network', 'show', 'tagged', '-f', 'json')['tags']) == ['blue', 'red']
    assert [n['Name'] for n in run('network', 'list', '--tags', 'red', '-f', 'json')] == \
        ['tagged']
    assert [n['Name'] for n in run('network', 'list', '--not-tags', 'red', '-f', 'json')] == \
        ['plain']
    run('network', 'unset', '--tag', 'blue', 'tagged')
    assert run('network', 'show', 'tagged', '-f', 'json')['tags'] == ['red']
