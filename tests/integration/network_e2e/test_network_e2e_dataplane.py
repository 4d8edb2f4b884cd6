"""The network issue's acceptance criteria 1-4 end to end: resources made with the
``openstack`` CLI (as admin and demo) against identity + network-api, the real agents
building the data path, and traffic between test namespaces proving it.

The tests run in order on one module-wide topology: admin's guest A (criterion 1), demo's
overlapping network with guest B (2), security group rules on A's floating IP (3), then
every agent SIGKILLed while resources change and restarted (4).
"""
import sys
import time
import uuid

import pytest
from network_e2e_conftest import (EXT_CIDR, OUTSIDE_IP, PHYSNET, connect, listen, ping, sh,
                                  wait_for)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

TENANT_CIDR = '10.77.%d.0/24' % (uuid.uuid4().int % 200 + 10)
TENANT_NET = TENANT_CIDR.rsplit('.', 1)[0]
GATEWAY = TENANT_NET + '.1'
# Guests take fixed addresses below the pool, so an address IPAM picks at random (a DHCP
# port of the other project's overlapping subnet) never equals a guest's.
POOL = ('--allocation-pool', 'start=%s.100,end=%s.250' % (TENANT_NET, TENANT_NET))


class World:
    """What the tests made, by name."""


def peer_of(listener, timeout=5):
    """The next peer address a ``listen`` process printed."""
    import select
    ready, _, _ = select.select([listener.stdout], [], [], timeout)
    return listener.stdout.readline().strip() if ready else None


def gateway_ip(cloud, router):
    info = cloud.osc('router', 'show', router)['external_gateway_info']
    return info['external_fixed_ips'][0]['ip_address']


def make_port(cloud, w, name, network, *extra):
    port = cloud.osc('port', 'create', '--network', network, '--host', cloud.host, *extra,
                     name)
    w.ports[name] = port
    return port


@pytest.fixture(scope='module')
def world(cloud):
    """admin: external flat network, tenant network + subnet, router with gateway, port."""
    w, s = World(), cloud.suffix
    w.ports = {}
    w.ext = cloud.osc('network', 'create', '--external', '--provider-network-type', 'flat',
                      '--provider-physical-network', PHYSNET, 'ext-' + s)
    cloud.net_ids.add(w.ext['id'])
    cloud.osc('subnet', 'create', '--network', w.ext['id'], '--subnet-range', EXT_CIDR,
              '--gateway', OUTSIDE_IP, '--no-dhcp', '--allocation-pool',
              'start=198.51.100.10,end=198.51.100.99', 'extsub-' + s)
    w.net = cloud.osc('network', 'create', 'net-' + s)
    cloud.net_ids.add(w.net['id'])
    w.subnet = cloud.osc('subnet', 'create', '--network', w.net['id'], '--subnet-range',
                         TENANT_CIDR, *POOL, 'sub-' + s)
    w.router = cloud.osc('router', 'create', 'r-' + s)
    cloud.router_ids.add(w.router['id'])
    cloud.osc('router', 'set', '--external-gateway', w.ext['id'], w.router['id'])
    cloud.osc('router', 'add', 'subnet', w.router['id'], w.subnet['id'])
    w.gw_ip = gateway_ip(cloud, w.router['id'])
    w.a = make_port(cloud, w, 'pa-' + s, w.net['id'], '--fixed-ip',
                    'subnet=%s,ip-address=%s.40' % (w.subnet['id'], TENANT_NET))
    w.a_ip = w.a['fixed_ips'][0]['ip_address']
    w.sg = w.a['security_group_ids'][0]
    w.guest_a = cloud.guest(w.a, 'ga')
    return w


def test_guest_gets_dhcp_reaches_gateway_outside_and_is_reachable_by_floating_ip(cloud,
                                                                                 world):
    w = world
    wait_for(lambda: cloud.port_status(w.a['id']) == 'ACTIVE', 30, 'port A ACTIVE',
             log=lambda: cloud.logs('bridge'))
    lease = cloud.dhcp(w.guest_a)
    assert lease and lease['ip'] == w.a_ip, (lease, cloud.logs('dhcp'))
    assert lease['router'] == GATEWAY
    wait_for(lambda: ping(w.guest_a, GATEWAY), 20, 'guest A pings its gateway',
             log=lambda: cloud.logs('l3'))
    # The router's interface is ACTIVE; disabled, the router forwards nothing but its
    # ports stay ACTIVE (plugged, as Neutron shows them); enabled again, it answers.
    itf = cloud.osc('port', 'list', '--device-owner', 'network:router_interface',
                    '--network', w.net['id'])[0]
    wait_for(lambda: cloud.port_status(itf['ID']) == 'ACTIVE', 20, 'router port ACTIVE',
             log=lambda: cloud.logs('l3'))
    cloud.osc('router', 'set', '--disable', w.router['id'])
    wait_for(lambda: not ping(w.guest_a, GATEWAY, count=1, wait=1), 20,
             'a disabled router stops answering', log=lambda: cloud.logs('l3'))
    assert cloud.port_status(itf['ID']) == 'ACTIVE'
    cloud.osc('router', 'set', '--enable', w.router['id'])
    wait_for(lambda: ping(w.guest_a, GATEWAY), 20, 'guest A pings its gateway again',
             log=lambda: cloud.logs('l3'))

    # SNAT: the outside sees the router's gateway address.
    outside_listener = listen(cloud.topo, cloud.outside, 7000)
    wait_for(lambda: connect(w.guest_a, OUTSIDE_IP, 7000), 20, 'guest A reaches outside')
    assert peer_of(outside_listener) == w.gw_ip

    # A floating IP, created and associated through the API (ICMP allowed in).
    cloud.osc('security', 'group', 'rule', 'create', '--protocol', 'icmp', w.sg)
    w.fip = cloud.osc('floating', 'ip', 'create', w.ext['id'])['floating_ip_address']
    cloud.osc('floating', 'ip', 'set', '--port', w.a['id'], w.fip)
    shown = cloud.osc('floating', 'ip', 'show', w.fip)
    assert shown['fixed_ip_address'] == w.a_ip and shown['port_id'] == w.a['id']
    wait_for(lambda: ping(cloud.outside, w.fip, wait=1), 20, 'outside pings the floating IP',
             log=lambda: cloud.logs('l3'))
    # And traffic from the guest now leaves with the floating IP as source.
    wait_for(lambda: connect(w.guest_a, OUTSIDE_IP, 7000), 10, 'guest A reaches outside')
    assert peer_of(outside_listener) == w.fip
    w.outside_listener = outside_listener


def test_overlapping_project_networks_stay_isolated(cloud, world, identity):
    w, s = world, cloud.suffix
    demo = 'demo'
    net = cloud.osc('network', 'create', 'dnet-' + s, user=demo)
    cloud.net_ids.add(net['id'])
    sub = cloud.osc('subnet', 'create', '--network', net['id'], '--subnet-range', TENANT_CIDR,
                    *POOL, 'dsub-' + s, user=demo)
    assert sub['cidr'] == w.subnet['cidr']
    router = cloud.osc('router', 'create', 'dr-' + s, user=demo)
    cloud.router_ids.add(router['id'])
    cloud.osc('router', 'set', '--external-gateway', w.ext['id'], router['id'], user=demo)
    cloud.osc('router', 'add', 'subnet', router['id'], sub['id'], user=demo)
    demo_gw = gateway_ip(cloud, router['id'])
    assert demo_gw != w.gw_ip
    # Binding a port to a host is admin-only: admin makes demo's port on demo's network.
    b_ip = TENANT_NET + '.50'
    b = make_port(cloud, w, 'pb-' + s, net['id'], '--project', identity.project_ids['demo'],
                  '--fixed-ip', 'subnet=%s,ip-address=%s' % (sub['id'], b_ip))
    guest_b = cloud.guest(b, 'gb')
    wait_for(lambda: cloud.port_status(b['id']) == 'ACTIVE', 30, 'port B ACTIVE',
             log=lambda: cloud.logs('bridge'))
    lease = cloud.dhcp(guest_b)
    assert lease and lease['ip'] == b_ip, (lease, cloud.logs('dhcp'))
    wait_for(lambda: ping(guest_b, GATEWAY), 20, 'guest B pings its own gateway')
    # Each project leaves through its own router.
    wait_for(lambda: connect(guest_b, OUTSIDE_IP, 7000), 20, 'guest B reaches outside')
    assert peer_of(w.outside_listener) == demo_gw

    # Nothing crosses: same subnet, but A and B cannot see each other.
    listener_b = listen(cloud.topo, guest_b, 9000)
    listener_a = listen(cloud.topo, w.guest_a, 9000)
    assert not ping(w.guest_a, b_ip, count=2, wait=1)
    assert not connect(w.guest_a, b_ip, 9000, timeout=1.0)
    assert not ping(guest_b, w.a_ip, count=2, wait=1)
    assert not connect(guest_b, w.a_ip, 9000, timeout=1.0)
    assert peer_of(listener_b, 0.5) is None and peer_of(listener_a, 0.5) is None
    neigh = sh('ip', 'neigh', 'show', b_ip, ns=w.guest_a, check=False).stdout
    assert 'lladdr' not in neigh, neigh
    # The two DHCP servers each answer only their own network (both hand out the gateway).
    assert ping(w.guest_a, GATEWAY) and ping(guest_b, GATEWAY)
    w.guest_b, w.b = guest_b, b


def _tcp_rule(cloud, group, port):
    return cloud.osc('security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port',
                     port, group)['id']


def test_security_group_rule_opens_and_closes_port_22_within_5s(cloud, world):
    w = world
    listen(cloud.topo, w.guest_a, 22)
    assert not connect(cloud.outside, w.fip, 22, timeout=1.0)
    rule = _tcp_rule(cloud, w.sg, 22)
    wait_for(lambda: connect(cloud.outside, w.fip, 22, timeout=0.5), 5,
             'TCP 22 open after the rule was added', step=0.1,
             log=lambda: cloud.logs('bridge'))
    cloud.osc('security', 'group', 'rule', 'delete', rule)
    started = time.monotonic()
    wait_for(lambda: not connect(cloud.outside, w.fip, 22, timeout=0.5), 5,
             'TCP 22 dropped after the rule was deleted', step=0.1,
             log=lambda: cloud.logs('bridge'))
    assert time.monotonic() - started < 5
    w.rule22 = _tcp_rule(cloud, w.sg, 22)
    wait_for(lambda: connect(cloud.outside, w.fip, 22, timeout=0.5), 5, 'TCP 22 open again')


METADATA_GET = r'''
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen('http://169.254.169.254/latest/meta-data/instance-id', timeout=5)
    print(r.status, r.read().decode())
except Exception as exc:
    print('fail', exc)
'''


def test_agents_resync_after_sigkill_while_resources_change(cloud, world):
    w, s = world, cloud.suffix
    listen(cloud.topo, w.guest_a, 8000)
    for kind in cloud.AGENTS:
        cloud.kill_agent(kind)
    # Behind the dead agents' backs: rules change, a port appears, the floating IP moves.
    cloud.osc('security', 'group', 'rule', 'delete', w.rule22)
    _tcp_rule(cloud, w.sg, 8000)
    device = str(uuid.uuid4())
    c = make_port(cloud, w, 'pc-' + s, w.net['id'], '--device-owner', 'compute:nova',
                  '--device', device)
    c_ip = c['fixed_ips'][0]['ip_address']
    guest_c = cloud.guest(c, 'gc')
    cloud.osc('floating', 'ip', 'set', '--port', c['id'], w.fip)
    listener_c = listen(cloud.topo, guest_c, 8000)
    time.sleep(2)
    assert cloud.port_status(c['id']) == 'DOWN'      # nobody plugged it meanwhile
    assert connect(cloud.outside, w.fip, 22)         # the old rule and NAT still stand

    for kind in cloud.AGENTS:
        cloud.start_agent(kind)
    wait_for(lambda: cloud.port_status(c['id']) == 'ACTIVE', 40, 'new port ACTIVE',
             log=lambda: cloud.logs('bridge'))
    wait_for(lambda: not connect(cloud.outside, w.fip, 22, timeout=0.5), 30,
             'deleted rule gone after restart', log=lambda: cloud.logs('bridge'))
    lease = cloud.dhcp(guest_c)
    assert lease and lease['ip'] == c_ip, (lease, cloud.logs('dhcp'))
    wait_for(lambda: connect(cloud.outside, w.fip, 8000, timeout=0.5), 30,
             'floating IP moved to the new port', log=lambda: cloud.logs('l3'))
    assert peer_of(listener_c) == OUTSIDE_IP
    # A lost its floating IP but still leaves through SNAT; C leaves as the floating IP.
    wait_for(lambda: connect(guest_c, OUTSIDE_IP, 7000), 10, 'guest C reaches outside')
    assert peer_of(w.outside_listener) == w.fip
    assert connect(w.guest_a, OUTSIDE_IP, 7000)
    assert peer_of(w.outside_listener) == w.gw_ip
    # The restarted metadata agent serves C's metadata (via the DHCP namespace's route).
    out = wait_for(lambda: sh(sys.executable, '-c', METADATA_GET, ns=guest_c,
                              timeout=30).stdout.split() == ['200', device], 20,
                   'metadata through the restarted agents', log=lambda: cloud.logs('metadata'))
    assert out
    assert cloud.agents_alive() >= {'network-%s-agent' % k for k in cloud.AGENTS}
