"""Console-script mains of the network service."""
import eventlet

eventlet.monkey_patch()

import logging  # noqa: E402

from common import daemon  # noqa: E402
from common import service as service_mod  # noqa: E402

LOG = logging.getLogger(__name__)

API_PORT = 9696


class PluginRPCService(service_mod.Service):
    """Serves the agent RPC (topic network-plugin) inside network-api."""

    name = 'network-plugin-rpc'

    def __init__(self, conf):
        self.conf = conf
        self.server = None

    def start(self):
        if not self.conf.network.rpc_server:
            return
        from network import plugin_rpc
        from network import service
        core = service.get_core(self.conf)
        self.server = plugin_rpc.make_server(core.transport, core, self.conf.host)
        self.server.start()
        LOG.info('agent RPC served on topic network-plugin as %s', self.conf.host)

    def stop(self, graceful=True):
        if self.server is not None:
            self.server.stop()

    def wait(self):
        if self.server is not None:
            self.server.wait()


def api_main(argv=None):
    """network-api: the REST API on port 9696 plus the agent RPC server."""
    from network.conf import CONF
    daemon.run_api(CONF, 'network', API_PORT, argv, extra_services=[PluginRPCService(CONF)])


if __name__ == '__main__':
    api_main()
