"""The whole network service for real: identity-api, network-api (with the agent RPC
server) and the bridge, DHCP, L3 and metadata agents as subprocesses over RabbitMQ (a vhost
of their own), driven through the ``openstack`` CLI and openstacksdk.

The "physical" network of the external network is a veth whose peer sits in an "outside"
namespace this suite creates; guests are namespaces plugged into their ports' taps. Every
namespace, link, chain, set and process is removed at the end, whatever failed.
"""
import http.server
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')
EXT_CIDR = '198.51.100.0/24'
OUTSIDE_IP = '198.51.100.1'
PHYSNET = 'physext'
# The test modules import the helpers below under this name.
sys.modules.setdefault('network_e2e_conftest', sys.modules[__name__])


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The namespace/veth/DHCP-client helpers of the agents' integration tests.
net_helpers = _load('network_e2e_helpers', os.path.join(
    ROOT, 'tests', 'integration', 'network', 'network_netns_helpers.py'))
sh, ping, listen, connect = (net_helpers.sh, net_helpers.ping, net_helpers.listen,
                             net_helpers.connect)


def wait_for(predicate, timeout, what, step=0.3, log=None):
    """Poll ``predicate`` for ``timeout`` s; fail naming ``what`` (and a log tail)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    pytest.fail('%s: not within %ss%s' % (what, timeout, '\n' + log() if log else ''))


class Cloud:
    """identity + network-api + four agents, the outside namespace, and helpers."""

    AGENTS = ('metadata', 'bridge', 'dhcp', 'l3')

    def __init__(self, identity, topo, vhost):
        self.identity, self.topo, self.vhost = identity, topo, vhost
        self.suffix = topo.suffix
        self.host = 'cse2e-%s' % self.suffix
        self.dir = topo.tmp
        self.state = os.path.join(self.dir, 'state')
        self.uplink = 'xe' + self.suffix
        self.outside = topo.namespace('out')
        topo.veth_into(self.uplink, self.outside, cidr=OUTSIDE_IP + '/24')
        self.agents = {}
        self.api_proc = None
        self.catalog = []
        self.net_ids, self.router_ids = set(), set()

    # daemons ------------------------------------------------------------------------
    def _log(self, name):
        path = os.path.join(self.dir, '%s.log' % name)
        try:
            with open(path, errors='replace') as handle:
                return '--- %s ---\n%s' % (name, handle.read()[-3000:])
        except FileNotFoundError:
            return ''

    def logs(self, *names):
        return '\n'.join(self._log(n) for n in names or ('network-api',) + self.AGENTS)

    def start_api(self):
        from common.testing import daemons
        self.api_port = daemons.free_port()
        self.url = 'http://127.0.0.1:%d' % self.api_port
        auth = dict(self.identity.service_auth_options(), revocation_push='false')
        conf = daemons.write_ini(os.path.join(self.dir, 'network.conf'), {
            'DEFAULT': {'state_path': self.state, 'transport_url': self.vhost,
                        'host': 'api-' + self.suffix,
                        'log_file': os.path.join(self.dir, 'network-api.log')},
            'api': {'bind_host': '127.0.0.1', 'bind_port': self.api_port,
                    'paste_config': os.path.join(ROOT, 'etc', 'network', 'api-paste.ini')},
            'database': {'connection': 'sqlite:///%s' % os.path.join(self.dir, 'net.sqlite')},
            'keystone_authtoken': auth,
            'ml2': {'flat_networks': PHYSNET},
            'oslo_policy': {'policy_file': os.path.join(ROOT, 'etc', 'network',
                                                        'policy.yaml')}})
        # network-api refuses an old schema: migrate first, as devstack does.
        subprocess.run([sys.executable, '-m', 'network.manage', '--config-file', conf,
                        'db-sync'], cwd=ROOT, check=True, capture_output=True)
        err = open(os.path.join(self.dir, 'network-api.err'), 'w')
        self.api_proc = subprocess.Popen(
            [sys.executable, '-m', 'network.cmd', '--config-file', conf], cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=err)
        err.close()
        daemons.wait_http(self.url + '/', 60, self.api_proc,
                          os.path.join(self.dir, 'network-api.err'))

    def register_endpoint(self):
        token = self.identity.token()
        status, _, body = self.identity.request('POST', '/v3/services', {'service': {
            'type': 'network', 'name': 'network-e2e-' + self.suffix}}, token)
        assert status == 201, body
        self.catalog.append('/v3/services/' + body['service']['id'])
        status, _, body = self.identity.request('POST', '/v3/endpoints', {'endpoint': {
            'service_id': body['service']['id'], 'interface': 'public',
            'region_id': 'RegionOne', 'url': self.url}}, token)
        assert status == 201, body
        self.catalog.insert(0, '/v3/endpoints/' + body['endpoint']['id'])

    def unregister_endpoint(self):
        token = self.identity.token()
        for path in self.catalog:
            self.identity.request('DELETE', path, token=token)

    def _agent_conf(self, kind):
        common = {'host': self.host, 'transport_url': self.vhost, 'state_path': self.state,
                  'report_interval': 2,
                  'log_file': os.path.join(self.dir, '%s.log' % kind)}
        meta = {'metadata_proxy_socket': os.path.join(self.dir, 'md.sock'),
                'nova_metadata_port': self.nova_port,
                'metadata_proxy_shared_secret': 'e2e-secret'}
        mapping = {'physical_interface_mappings': '%s:%s' % (PHYSNET, self.uplink)}
        sections = {'DEFAULT': common}
        if kind in ('dhcp', 'l3', 'metadata'):
            common.update(meta)
        if kind in ('dhcp', 'l3', 'bridge'):
            sections['linux_bridge'] = mapping
        if kind == 'bridge':
            sections['securitygroup'] = {'chain_prefix': 'e' + self.suffix}
        return sections

    def start_agent(self, kind):
        from common.testing import daemons
        conf = daemons.write_ini(os.path.join(self.dir, '%s.ini' % kind),
                                 self._agent_conf(kind))
        log = open(os.path.join(self.dir, '%s.out' % kind), 'ab')
        self.agents[kind] = subprocess.Popen(
            [sys.executable, '-m', 'network.agents.%s' % kind, '--config-file', conf],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def kill_agent(self, kind, sig=signal.SIGKILL):
        proc = self.agents.pop(kind)
        proc.send_signal(sig)
        return proc.wait(timeout=30)

    def start_metadata_server(self):
        self.nova = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                 net_helpers.MetadataStandIn)
        self.nova_port = self.nova.server_address[1]
        threading.Thread(target=self.nova.serve_forever, daemon=True).start()

    def agents_alive(self):
        agents = self.sdk('admin').network.agents(host=self.host)
        return {a.binary for a in agents if a.is_alive}

    # clients ------------------------------------------------------------------------
    def osc(self, *args, user='admin', ok=True):
        """``openstack <args>``: parsed JSON output (ok=True) or (rc, stderr)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
        env.update(self.identity.os_env(user))
        args = [str(a) for a in args]
        if any(word in ('create', 'show', 'list') for word in args[:4]):
            args += ['-f', 'json']
        started = time.monotonic()
        proc = subprocess.run([OPENSTACK] + args, env=env, capture_output=True, text=True,
                              timeout=90)
        print('%.1fs openstack %s' % (time.monotonic() - started, ' '.join(args)))
        if not ok:
            assert proc.returncode != 0, 'openstack %s should fail: %s' % (
                ' '.join(args), proc.stdout)
            return proc.stderr
        assert proc.returncode == 0, 'openstack %s: %s' % (' '.join(args), proc.stderr)
        out = proc.stdout.strip()
        return json.loads(out) if out.startswith(('{', '[')) else out

    def osc_failures(self, commands):
        """Run independent failing ``(user, args)`` commands concurrently; their stderr."""
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(4) as pool:
            return list(pool.map(lambda c: self.osc(*c[1], user=c[0], ok=False), commands))

    def sdk(self, user='admin'):
        import openstack.connection
        env = self.identity.os_env(user)
        return openstack.connection.Connection(
            auth_url=env['OS_AUTH_URL'], username=user, password=env['OS_PASSWORD'],
            project_name=user, user_domain_name='Default', project_domain_name='Default',
            region_name='RegionOne', interface='public', identity_api_version='3')

    # data path ------------------------------------------------------------------------
    def guest(self, port, role):
        """A namespace plugged into ``port``'s tap (veth, guest end with the port's MAC)."""
        ns = self.topo.namespace(role)
        self.topo.veth_into('tap' + port['id'][:11], ns, mac_address=port['mac_address'])
        return ns

    def dhcp(self, ns, tries=4):
        lease = None
        for _ in range(tries):
            lease = net_helpers.dhcp_client(self.topo, ns)
            if lease:
                return lease
        return lease

    def port_status(self, port_id):
        return self.sdk('admin').network.get_port(port_id).status

    # teardown ---------------------------------------------------------------------------
    def sweep(self):
        """Remove what the (killed) agents left: namespaces, dnsmasq, proxies, chains."""
        from network.agents.bridge import datapath as bdp
        from network.agents.common import bridge, namespace
        from network.agents.dhcp import datapath as ddp
        from network.agents.l3 import datapath as ldp
        from network.agents.metadata import launcher
        proxies = launcher.ProxyLauncher(self.state, '')
        bdp.BridgeDatapath({}, chain_prefix='e' + self.suffix).teardown()
        ddp.DhcpDatapath(os.path.join(self.state, 'dhcp-agent'), {}, proxies).converge({})
        ldp.L3Datapath(os.path.join(self.state, 'l3-agent'), {}, proxies).converge({})
        for ns in [ddp.ns_name(n) for n in self.net_ids] + \
                [ldp.ns_name(r) for r in self.router_ids]:
            if namespace.exists(ns):
                for pid in sh('ip', 'netns', 'pids', ns, check=False).stdout.split():
                    sh('kill', '-9', pid, check=False)
                namespace.delete(ns)
        for net_id in self.net_ids:
            bridge.delete('brq' + net_id[:11])

    def teardown(self):
        for kind in list(self.agents):
            self.kill_agent(kind)
        if self.api_proc is not None:
            # Remember every network and router, so the sweep finds all namespaces.
            try:
                conn = self.sdk('admin')
                self.net_ids |= {n.id for n in conn.network.networks()}
                self.router_ids |= {r.id for r in conn.network.routers()}
            except Exception as exc:
                print('cannot list resources for the sweep: %s' % exc)
            self.unregister_endpoint()
            self.api_proc.send_signal(signal.SIGTERM)
            try:
                self.api_proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.api_proc.kill()
                self.api_proc.wait(timeout=10)
        self.sweep()
        if getattr(self, 'nova', None):
            self.nova.shutdown()


@pytest.fixture(scope='session')
def e2e_vhost():
    if net_helpers.SKIP:
        pytest.skip(net_helpers.SKIP)
    name = 'cs-e2e-%04x' % (os.getpid() & 0xffff)
    if sh('rabbitmqctl', 'add_vhost', name, check=False, timeout=60).returncode:
        pytest.skip('cannot create a RabbitMQ vhost (broker not running?)')
    try:
        sh('rabbitmqctl', 'set_permissions', '-p', name, 'guest', '.*', '.*', '.*', timeout=60)
        yield 'amqp://guest:guest@127.0.0.1:5672/%s' % name
    finally:
        sh('rabbitmqctl', 'delete_vhost', name, check=False, timeout=60)


@pytest.fixture(scope='session')
def cloud(identity, e2e_vhost):
    """The running cloud; its agents all report alive before tests start."""
    topo = net_helpers.Topology()
    c = None
    try:
        c = Cloud(identity, topo, e2e_vhost)
        c.start_metadata_server()
        c.start_api()
        c.register_endpoint()
        for kind in Cloud.AGENTS:
            c.start_agent(kind)
        wanted = {'network-%s-agent' % k for k in Cloud.AGENTS}
        wait_for(lambda: c.agents_alive() >= wanted, 60, 'all four agents report alive',
                 step=1, log=c.logs)
        yield c
    finally:
        try:
            if c is not None:
                c.teardown()
        finally:
            topo.teardown()
