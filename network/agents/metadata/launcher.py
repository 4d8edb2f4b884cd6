"""Start, update and stop the metadata proxy of one namespace (used by DHCP and L3 agents)."""
import os
import sys

from network.agents.common import process
from network.agents.metadata import ns_proxy

METADATA_IP = '169.254.169.254'


def socket_path(conf):
    return conf.metadata_proxy_socket or os.path.join(conf.state_path, 'metadata_proxy')


class ProxyLauncher:
    def __init__(self, state_dir, socket):
        self.state_dir = state_dir
        self.socket = socket

    def _process(self, namespace):
        return process.ManagedProcess(namespace, os.path.join(
            self.state_dir, 'metadata-proxy', namespace + '.pid'), namespace=namespace)

    def ensure(self, namespace, network_ids, router_id=None):
        proc = self._process(namespace)
        cmd = [sys.executable, os.path.abspath(ns_proxy.__file__), '--pid-file', proc.pidfile,
               '--socket', self.socket, '--bind', METADATA_IP, '--port', '80']
        for net in sorted(network_ids):
            cmd += ['--network-id', net]
        if router_id:
            cmd += ['--router-id', router_id]
        return proc.ensure(cmd)

    def stop(self, namespace):
        self._process(namespace).stop()
