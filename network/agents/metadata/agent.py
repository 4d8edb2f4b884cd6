"""network-metadata-agent: serves the namespace proxies on a unix socket."""
import logging
import os

import eventlet
from eventlet import wsgi

from common import config as config_mod
from network import rpcapi
from network.agents.common import agent as agent_mod
from network.agents.common import config
from network.agents.metadata import handler
from network.agents.metadata import launcher

LOG = logging.getLogger(__name__)


class MetadataAgent(agent_mod.Agent):
    agent_type = rpcapi.AGENT_METADATA
    binary = 'network-metadata-agent'

    def __init__(self, conf, plugin_api=None, transport=None):
        super().__init__(conf, plugin_api, transport)
        self.socket_path = launcher.socket_path(conf)
        self._server = None

    def configurations(self):
        return {'metadata_proxy_socket': self.socket_path,
                'nova_metadata_host': self.conf.nova_metadata_host,
                'nova_metadata_port': self.conf.nova_metadata_port}

    def converge(self, state):
        """Nothing to converge: lookups happen per request."""

    def app(self):
        return handler.MetadataApp(
            lambda net, ip: self.plugin.get_ports_by_ip(self.ctx, net, ip),
            self.conf.nova_metadata_host, self.conf.nova_metadata_port,
            self.conf.metadata_proxy_shared_secret)

    def start(self):
        super().start()
        os.makedirs(os.path.dirname(self.socket_path), exist_ok=True)
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)
        sock = eventlet.listen(self.socket_path, family=__import__('socket').AF_UNIX)
        # Proxies run as root in namespaces; nobody else needs the socket.
        os.chmod(self.socket_path, 0o600)
        self._server = eventlet.spawn(wsgi.server, sock, self.app(), log=LOG,
                                      log_output=False)

    def stop(self, graceful=True):
        # Killing the accept loop ends the server; requests in flight are not awaited
        # (the proxies answer 502 and the guest retries).
        if self._server is not None:
            self._server.kill()
            self._server = None
        super().stop(graceful)


def make_conf():
    return config.register(config_mod.ConfigOpts(), 'metadata')


def main(argv=None):
    agent_mod.main(MetadataAgent, make_conf(), 'agents/metadata.ini', argv)


if __name__ == '__main__':
    main()
