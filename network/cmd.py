"""Console-script mains of the network service."""
import eventlet

eventlet.monkey_patch()

from common import daemon  # noqa: E402

API_PORT = 9696


def api_main(argv=None):
    """network-api: the REST API on port 9696 plus the agent RPC server (topic
    network-plugin); refuses to start until ``network-manage db-sync`` ran."""
    from network import plugin_rpc
    from network.conf import CONF
    from network.state import NetworkState

    def services():
        found = [daemon.build_api_service(CONF, 'network', API_PORT)]
        if CONF.network.rpc_server:
            found.append(plugin_rpc.make_service(NetworkState.get(CONF).core, CONF.host))
        return found
    daemon.run(CONF, 'network', 'network-api', services, argv, state=NetworkState,
               api_port=API_PORT)


if __name__ == '__main__':
    api_main()
