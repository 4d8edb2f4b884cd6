"""The four agent daemons as real processes, fed by a test RPC server over RabbitMQ.

The server side here serves the state dicts a network-api would send (same RPC contract,
network.rpcapi); the agents are the real console-script modules. Covers: start-up resync,
resources_changed casts, SIGKILL + restart while the state changed, clean SIGTERM, and the
metadata path guest -> namespace proxy -> metadata agent -> a test compute metadata server.
"""
import hashlib
import hmac
import http.server
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
from network_netns_helpers import (MetadataStandIn, SKIP, connect, dhcp_client, listen,
                                   ping, sh)

import network_agent_cloud as cloudlib
from common import rpc
from network import rpcapi
from network.agents.common import bridge
from network.agents.common import namespace

pytestmark = pytest.mark.integration
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SECRET = 'not-so-secret'


@pytest.fixture(scope='module')
def vhost():
    if SKIP:
        pytest.skip(SKIP)
    if not shutil.which('rabbitmqctl'):
        pytest.skip('RabbitMQ (rabbitmqctl) is not installed')
    name = 'cs-netagent-%04x' % (os.getpid() & 0xffff)
    if sh('rabbitmqctl', 'add_vhost', name, check=False, timeout=60).returncode:
        pytest.skip('cannot create a RabbitMQ vhost (broker not running?)')
    try:
        sh('rabbitmqctl', 'set_permissions', '-p', name, 'guest', '.*', '.*', '.*', timeout=60)
        yield 'amqp://guest:guest@127.0.0.1:5672/%s' % name
    finally:
        sh('rabbitmqctl', 'delete_vhost', name, check=False, timeout=60)


class PluginEndpoint:
    """network-api's side of the contract, answering from a Cloud description."""

    def __init__(self, cloud):
        self.cloud = cloud
        self.reports, self.statuses = [], {}
        self.known_ips = True

    def get_host_state(self, ctx, host, agent_type):
        return {rpcapi.AGENT_BRIDGE: self.cloud.bridge_state,
                rpcapi.AGENT_DHCP: self.cloud.dhcp_state,
                rpcapi.AGENT_L3: self.cloud.l3_state,
                rpcapi.AGENT_METADATA: dict}[agent_type]()

    def report_state(self, ctx, agent):
        self.reports.append(agent)
        return {'id': agent['binary'], 'alive': True}

    def update_port_status(self, ctx, port_id, status, host):
        self.statuses[port_id] = status
        return True

    def get_ports_by_ip(self, ctx, network_id, ip_address):
        return self.cloud.ports_by_ip(network_id, ip_address) if self.known_ips else []


class MetadataRecorder(MetadataStandIn):
    seen = []


class Deployment:
    def __init__(self, topo, url, cloud, uplink, nova_port):
        self.topo, self.cloud, self.procs = topo, cloud, {}
        state = os.path.join(topo.tmp, 'state')
        common = ('[DEFAULT]\nhost = cs-test-%s\ntransport_url = %s\nstate_path = %s\n'
                  'report_interval = 2\n' % (topo.suffix, url, state))
        meta = ('metadata_proxy_socket = %s\nnova_metadata_port = %d\n'
                'metadata_proxy_shared_secret = %s\n'
                % (os.path.join(topo.tmp, 'md.sock'), nova_port, SECRET))
        mapping = '[linux_bridge]\nphysical_interface_mappings = physext:%s\n' % uplink
        self.configs = {
            'bridge': common + '[securitygroup]\nchain_prefix = c%s\n' % topo.suffix + mapping,
            'dhcp': common + meta + mapping,
            'l3': common + meta + mapping,
            'metadata': common + meta}

    def start(self, kind):
        path = os.path.join(self.topo.tmp, '%s.ini' % kind)
        with open(path, 'w') as handle:
            handle.write(self.configs[kind])
        log = open(os.path.join(self.topo.tmp, '%s.log' % kind), 'a')
        self.procs[kind] = subprocess.Popen(
            [sys.executable, '-m', 'network.agents.%s' % kind, '--config-file', path],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def stop(self, kind, sig=signal.SIGTERM):
        proc = self.procs.pop(kind)
        proc.send_signal(sig)
        return proc.wait(timeout=40)


def wait_for(predicate, timeout, step=0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


@pytest.fixture
def deployment(topo, vhost):
    cloud = cloudlib.Cloud()
    project = cloud.add_project('10.97.1.0/24')
    uplink = 'xo' + topo.suffix
    outside = topo.namespace('out')
    topo.veth_into(uplink, outside, cidr='198.51.100.1/24')
    guest = topo.namespace('g0')
    topo.veth_into(project.vm_port['tap_name'], guest,
                   mac_address=project.vm_port['mac_address'])
    transport = rpc.get_transport(vhost)
    endpoint = PluginEndpoint(cloud)
    server = rpc.get_rpc_server(transport, rpcapi.PLUGIN_TOPIC, server='test',
                                endpoints=[endpoint], exchange=rpcapi.EXCHANGE)
    server.start()
    nova = http.server.ThreadingHTTPServer(('127.0.0.1', 0), MetadataRecorder)
    threading.Thread(target=nova.serve_forever, daemon=True).start()
    dep = Deployment(topo, vhost, cloud, uplink, nova.server_address[1])
    dep.endpoint, dep.guest, dep.outside, dep.project = endpoint, guest, outside, project
    dep.notifier = rpcapi.AgentNotifier(transport)

    def cleanup():
        for kind in list(dep.procs):
            dep.stop(kind, signal.SIGKILL)
        # A last agent-free sweep: the datapaths of the killed agents stay behind.
        from network.agents.bridge import datapath as bdp
        from network.agents.dhcp import datapath as ddp
        from network.agents.l3 import datapath as ldp
        from network.agents.metadata import launcher
        state = os.path.join(topo.tmp, 'state')
        proxies = launcher.ProxyLauncher(state, '')
        bdp.BridgeDatapath({}, chain_prefix='c' + topo.suffix).teardown()
        ddp.DhcpDatapath(os.path.join(state, 'dhcp-agent'), {}, proxies).converge({})
        ldp.L3Datapath(os.path.join(state, 'l3-agent'), {}, proxies).converge({})
        for ns in (ddp.ns_name(project.network['id']), ldp.ns_name(project.router_id)):
            namespace.delete(ns)
        for net in (cloud.ext_network, project.network):
            bridge.delete('brq' + net['id'][:11])
        nova.shutdown()
        server.stop()
        server.wait()
        transport.cleanup()
    topo.cleanups.append(cleanup)
    for kind in ('metadata', 'bridge', 'dhcp', 'l3'):
        dep.start(kind)
    return dep


def test_agents_converge_follow_casts_and_resync_after_restart(topo, deployment):
    dep, project = deployment, deployment.project
    assert wait_for(lambda: dep.endpoint.statuses.get(project.vm_port['id']) == 'ACTIVE', 30)
    # the L3 agent reports the router's ports it plugged (tempest waits for them ACTIVE)
    assert wait_for(lambda: all(dep.endpoint.statuses.get(p['id']) == 'ACTIVE' for p in (
        project.router_port, project.gw_port)), 30), dep.endpoint.statuses
    assert wait_for(lambda: {r['binary'] for r in dep.endpoint.reports} >= {
        'network-bridge-agent', 'network-dhcp-agent', 'network-l3-agent',
        'network-metadata-agent'}, 30)
    lease = None
    for _ in range(5):
        lease = dhcp_client(topo, dep.guest)
        if lease:
            break
    assert lease and lease['ip'] == project.vm_ip
    assert wait_for(lambda: ping(dep.guest, '10.97.1.1'), 20)
    listen(topo, dep.guest, 22)
    assert not connect(dep.outside, project.floating_ip, 22, timeout=1.0)

    # A cast makes the running bridge agent apply a new rule within 5 s.
    project.extra_rules = [cloudlib.tcp_rule(22)]
    started = time.monotonic()
    dep.notifier.resources_changed({}, 'security_group', [project.group_id])
    assert wait_for(lambda: connect(dep.outside, project.floating_ip, 22, timeout=0.5), 5), \
        open(os.path.join(topo.tmp, 'bridge.log')).read()[-3000:]
    assert time.monotonic() - started < 5

    # Kill the bridge and L3 agents, change the state behind their backs, restart them.
    dep.stop('bridge', signal.SIGKILL)
    dep.stop('l3', signal.SIGKILL)
    project.extra_rules = []
    old_fip, project.floating_ip = project.floating_ip, str(cloud_ext(dep, 29))
    assert connect(dep.outside, old_fip, 22)          # nothing changed while they were down
    dep.start('bridge')
    dep.start('l3')
    assert wait_for(lambda: not connect(dep.outside, old_fip, 22, timeout=0.5), 30)
    project.extra_rules = [cloudlib.tcp_rule(22)]
    dep.notifier.resources_changed({}, 'security_group', [project.group_id])
    assert wait_for(lambda: connect(dep.outside, project.floating_ip, 22, timeout=0.5), 30)
    assert not connect(dep.outside, old_fip, 22, timeout=0.5)

    # SIGTERM stops every agent cleanly.
    for kind in ('bridge', 'dhcp', 'l3', 'metadata'):
        assert dep.stop(kind) == 0, open(os.path.join(topo.tmp, '%s.log' % kind)).read()


def cloud_ext(dep, index):
    return dep.cloud.ext_hosts[index]


GET = r'''
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen('http://169.254.169.254/latest/meta-data/instance-id', timeout=5)
    print(r.status, r.read().decode())
except urllib.error.HTTPError as exc:
    print(exc.code, '')
'''


def test_metadata_request_reaches_compute_signed(topo, deployment):
    dep, project = deployment, deployment.project
    lease = None
    assert wait_for(lambda: dep.endpoint.statuses.get(project.vm_port['id']) == 'ACTIVE', 30), \
        open(os.path.join(topo.tmp, 'bridge.log')).read()[-3000:]
    for _ in range(5):
        lease = dhcp_client(topo, dep.guest)
        if lease:
            break
    assert lease and lease['ip'] == project.vm_ip
    MetadataRecorder.seen.clear()
    # Through the DHCP namespace (the DHCP-provided route to 169.254.169.254)...
    out = sh(sys.executable, '-c', GET, ns=dep.guest, timeout=30).stdout.split()
    assert out == ['200', project.vm_port['device_id']]
    # ...and through the router once that route is gone (the L3 agent may still be
    # starting the router's proxy on a loaded machine: allow it a few seconds).
    sh('ip', 'route', 'del', '169.254.169.254/32', ns=dep.guest)
    replies = []
    assert wait_for(lambda: replies.append(sh(sys.executable, '-c', GET, ns=dep.guest,
                                              check=False, timeout=30).stdout.split())
                    or replies[-1] == ['200', project.vm_port['device_id']], 20, step=1), \
        replies[-3:]
    assert len(MetadataRecorder.seen) == 2
    for headers in MetadataRecorder.seen:
        instance = project.vm_port['device_id']
        assert headers['X-Instance-ID'] == instance
        assert headers['X-Tenant-ID'] == project.vm_port['project_id']
        assert headers['X-Forwarded-For'] == project.vm_ip
        assert headers['X-Instance-ID-Signature'] == hmac.new(
            SECRET.encode(), instance.encode(), hashlib.sha256).hexdigest()
        assert headers['path'] == '/latest/meta-data/instance-id'
    # An address network-api does not know gets 404 and never reaches compute.
    dep.endpoint.known_ips = False
    out = sh(sys.executable, '-c', GET, ns=dep.guest, timeout=30).stdout.split()
    assert out == ['404']
    assert len(MetadataRecorder.seen) == 2
