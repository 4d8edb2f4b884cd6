"""QoS on the bridge agent's datapath, with traffic between namespaces: a bandwidth limit
toward a guest measured with a transfer, and DSCP marks on what the guest sends."""
import subprocess
import sys
import time

import pytest
from network_netns_helpers import mac, new_id, sh

from network.agents.bridge import datapath as bridge_dp
from network.agents.common import bridge

pytestmark = pytest.mark.integration

SIZE = 1500 * 1000          # bytes sent toward the guest
RATE_KBPS = 2000            # 250 kB/s: the transfer takes about 6 s when limited

SERVER = '''
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5001)); s.listen(1); print("ready", flush=True)
c, _ = s.accept(); n = 0
while True:
    d = c.recv(65536)
    if not d: break
    n += len(d)
print(n, flush=True)
'''
CLIENT = '''
import socket, sys, time
c = socket.create_connection((sys.argv[1], 5001), timeout=30)
t = time.monotonic(); c.sendall(b"x" * int(sys.argv[2])); c.shutdown(socket.SHUT_WR)
c.recv(1); print(time.monotonic() - t)
'''


def _port(net_id, tap, ip, qos=None):
    return {'id': new_id(), 'mac_address': mac(), 'network_id': net_id,
            'fixed_ips': [{'subnet_id': new_id(), 'ip_address': ip}],
            'device_owner': 'compute:nova', 'device_id': new_id(), 'admin_state_up': True,
            'port_security_enabled': False, 'allowed_address_pairs': [],
            'security_group_ids': [], 'security_group_rules': [], 'tap_name': tap,
            'qos': qos}


def _transfer_seconds(topo, sender, receiver, address):
    server = topo.spawn(sys.executable, '-c', SERVER, ns=receiver)
    assert server.stdout.readline().strip() == 'ready'
    out = sh('ip', 'netns', 'exec', sender, sys.executable, '-c', CLIENT, address,
             str(SIZE)).stdout
    assert server.stdout.readline().strip() == str(SIZE)
    server.wait(timeout=10)
    return float(out.strip())


def test_bandwidth_limit_toward_the_guest_and_dscp_marks(topo):
    net_id = new_id()
    guest, peer = topo.namespace('qg'), topo.namespace('qp')
    tap_g, tap_p = 'tapq%s' % topo.suffix, 'tapr%s' % topo.suffix
    ports = [_port(net_id, tap_g, '10.99.0.5'), _port(net_id, tap_p, '10.99.0.6')]
    topo.veth_into(tap_g, guest, mac_address=ports[0]['mac_address'], cidr='10.99.0.5/24')
    topo.veth_into(tap_p, peer, mac_address=ports[1]['mac_address'], cidr='10.99.0.6/24')
    network = {'id': net_id, 'network_type': 'local', 'physical_network': None,
               'segmentation_id': None, 'mtu': 1500}
    bdp = bridge_dp.BridgeDatapath({}, chain_prefix='q' + topo.suffix)

    def cleanup():
        bdp.converge({'networks': [], 'ports': []})
        bdp.teardown()
        bridge.delete('brq' + net_id[:11])
    topo.cleanups.append(cleanup)

    def converge(qos):
        ports[0]['qos'] = qos
        statuses = bdp.converge({'networks': [network], 'ports': ports})
        assert set(statuses.values()) == {'ACTIVE'} and not bdp.failed

    converge(None)
    unlimited = _transfer_seconds(topo, peer, guest, '10.99.0.5')
    converge({'bandwidth_limit': {'ingress': {'max_kbps': RATE_KBPS, 'max_burst_kbps': 0}},
              'dscp_mark': 26})
    assert 'tbf' in sh('tc', 'qdisc', 'show', 'dev', tap_g).stdout
    limited = _transfer_seconds(topo, peer, guest, '10.99.0.5')
    # 1.5 MB at 250 kB/s, less the 200 kB bucket: at least 4 s; unlimited well under 1 s
    assert unlimited < 1.0, unlimited
    assert limited > 4.0, limited
    rate = SIZE * 8 / 1000 / limited
    assert rate < RATE_KBPS * 1.25, rate
    print('1.5 MB toward the guest: %.2f s unlimited, %.2f s limited to %d kbit/s '
          '(measured %.0f kbit/s)' % (unlimited, limited, RATE_KBPS, rate))

    # DSCP 26 (AF31) on what the guest sends, counted by mangle rules at each end
    for ns in (guest, peer):
        sh('iptables', '-t', 'mangle', '-A', 'INPUT', '-p', 'icmp', '--icmp-type',
           'echo-request', '-m', 'dscp', '--dscp', '26', ns=ns)

    def marked(ns):
        out = sh('iptables', '-t', 'mangle', '-nvxL', 'INPUT', ns=ns).stdout
        return int([line for line in out.splitlines() if 'DSCP' in line.upper()][0]
                   .split()[0])
    sh('ping', '-c', '3', '-i', '0.2', '10.99.0.6', ns=guest)
    assert marked(peer) == 3
    sh('ping', '-c', '2', '-i', '0.2', '10.99.0.5', ns=peer)   # the peer's are not marked
    assert marked(guest) == 0

    # policy removed: no qdisc, no mark, full speed again
    converge(None)
    assert 'tbf' not in sh('tc', 'qdisc', 'show', 'dev', tap_g).stdout
    sh('ping', '-c', '2', '-i', '0.2', '10.99.0.6', ns=guest)
    assert marked(peer) == 3
    assert _transfer_seconds(topo, peer, guest, '10.99.0.5') < 1.0
