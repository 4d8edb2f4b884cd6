"""Helpers of the network agents' integration tests: commands in namespaces, the per-test
topology of bridges and namespaces (removed afterwards), a DHCP client, ping, listeners.
(A module of its own: test files cannot import from conftest.py, whose module name is
shared by every test folder.)"""
import http.server
import os
import random
import shutil
import subprocess
import tempfile
import uuid

from common.testing.netns import delete_namespace
from common.testing.netns import sh  # noqa: F401 (the tests import it from here)

REQUIRED = ('ip', 'iptables', 'iptables-restore', 'ipset', 'ebtables', 'dnsmasq', 'busybox')


def _skip_reason():
    if os.geteuid() != 0:
        return 'needs root (namespaces, bridges, iptables)'
    missing = [t for t in REQUIRED if shutil.which(t) is None]
    if missing:
        return 'missing tools: %s' % ', '.join(missing)
    try:
        with open('/proc/sys/net/bridge/bridge-nf-call-iptables') as handle:
            if handle.read().strip() != '1':
                return 'net.bridge.bridge-nf-call-iptables is not 1 (br_netfilter)'
    except FileNotFoundError:
        return 'br_netfilter is not available'
    return None


SKIP = _skip_reason()


def new_id():
    return str(uuid.uuid4())


def mac():
    return 'fa:16:3e:%02x:%02x:%02x' % tuple(random.randrange(256) for _ in range(3))


class Topology:
    """Records what a test creates so teardown removes all of it, whatever failed."""

    def __init__(self):
        self.suffix = '%04x' % random.randrange(0x10000)
        self.namespaces, self.links, self.procs, self.cleanups = [], [], [], []
        self.tmp = tempfile.mkdtemp(prefix='cs-net-%s-' % self.suffix)
        # dnsmasq drops to 'nobody' and must still read its host and option files.
        os.chmod(self.tmp, 0o755)

    def namespace(self, role):
        name = 'cs%s-%s' % (role, self.suffix)
        sh('ip', 'netns', 'add', name)
        self.namespaces.append(name)
        sh('ip', 'link', 'set', 'lo', 'up', ns=name)
        return name

    def veth_into(self, host_name, ns, ns_name='eth0', mac_address=None, cidr=None,
                  gateway=None):
        """A veth pair: ``host_name`` stays here, ``ns_name`` goes into ``ns``."""
        sh('ip', 'link', 'add', host_name, 'type', 'veth', 'peer', 'name', ns_name,
           'netns', ns)
        self.links.append(host_name)
        if mac_address:
            sh('ip', 'link', 'set', ns_name, 'address', mac_address, ns=ns)
        sh('ip', 'link', 'set', ns_name, 'up', ns=ns)
        sh('ip', 'link', 'set', host_name, 'up')
        if cidr:
            sh('ip', 'addr', 'add', cidr, 'dev', ns_name, ns=ns)
        if gateway:
            sh('ip', 'route', 'add', 'default', 'via', gateway, ns=ns)

    def spawn(self, *cmd, ns=None):
        cmd = [str(c) for c in cmd]
        if ns:
            cmd = ['ip', 'netns', 'exec', ns] + cmd
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(proc)
        return proc

    def teardown(self):
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as exc:  # keep going: everything else must still go
                print('cleanup step failed: %s' % exc)
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
        for ns in self.namespaces:
            delete_namespace(ns)
        for link in self.links:
            sh('ip', 'link', 'delete', link, check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)


UDHCPC_SCRIPT = r'''#!/bin/sh
# Minimal udhcpc hook: configure the lease and record what the server sent.
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/$mask" dev "$interface"
    [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
    set -- $staticroutes
    while [ $# -ge 2 ]; do ip route replace "$1" via "$2" dev "$interface"; shift 2; done
    if [ -z "$staticroutes" ] && [ -n "$router" ]; then
      ip route replace default via "${router%% *}" dev "$interface"; fi
    echo "ip=$ip mask=$mask router=$router mtu=$mtu staticroutes=$staticroutes" > "$LEASE_OUT"
    ;;
esac
exit 0
'''


def dhcp_client(topo, ns, dev='eth0'):
    """Run busybox udhcpc once in ``ns``; return the recorded lease fields."""
    script = os.path.join(topo.tmp, 'udhcpc.sh')
    with open(script, 'w') as handle:
        handle.write(UDHCPC_SCRIPT)
    os.chmod(script, 0o755)
    out = os.path.join(topo.tmp, 'lease-%s' % ns)
    env = dict(os.environ, LEASE_OUT=out)
    subprocess.run(['ip', 'netns', 'exec', ns, 'busybox', 'udhcpc', '-i', dev, '-n', '-q',
                    '-f', '-t', '8', '-T', '1', '-s', script, '-O', 'staticroutes',
                    '-O', 'mtu'], env=env, capture_output=True, timeout=40)
    if not os.path.exists(out):
        return None
    with open(out) as handle:
        text = handle.read().strip()
    result = {}
    for part in text.split(' '):
        if '=' in part:
            key, value = part.split('=', 1)
            result[key] = value
            last = key
        else:
            result[last] += ' ' + part
    return result


def ping(ns, addr, count=1, wait=2):
    return sh('ping', '-c', count, '-W', wait, addr, ns=ns, check=False).returncode == 0


LISTENER = r'''
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', int(sys.argv[1]))); s.listen(16)
print('ready', flush=True)
while True:
    c, addr = s.accept(); print(addr[0], flush=True); c.sendall(b'hello\n'); c.close()
'''


def listen(topo, ns, port):
    """A TCP listener in ``ns`` printing each peer address; returns the Popen."""
    import sys
    proc = topo.spawn(sys.executable, '-c', LISTENER, port, ns=ns)
    assert proc.stdout.readline().strip() == 'ready'
    return proc


CONNECT = r'''
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3]))
    print(c.recv(16).decode().strip())
except OSError as exc:
    print('fail', exc); sys.exit(1)
'''


def connect(ns, addr, port, timeout=2.0):
    """True if a TCP connection from ``ns`` to addr:port gets the listener's greeting."""
    import sys
    proc = sh(sys.executable, '-c', CONNECT, addr, port, timeout, ns=ns, check=False,
              timeout=timeout + 10)
    return proc.returncode == 0 and 'hello' in proc.stdout


class MetadataStandIn(http.server.BaseHTTPRequestHandler):
    """Stands in for compute's metadata service: records each request's headers (with
    ``path``) and answers the instance id it was sent."""

    seen = []

    def do_GET(self):
        self.seen.append(dict(self.headers.items(), path=self.path))
        body = self.headers.get('X-Instance-ID', '').encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass
