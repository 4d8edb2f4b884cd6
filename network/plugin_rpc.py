"""Server side of the agent RPC (topic ``network-plugin``): the endpoints agents call.

The contract (payloads) is documented in ``network.rpcapi``.
"""
import logging

from common import context as context_mod
from common import rpc
from network import rpcapi

LOG = logging.getLogger(__name__)

PORT_STATUSES = ('ACTIVE', 'DOWN', 'BUILD', 'ERROR')


class PluginEndpoint:
    """Methods agents call; arguments are checked since they come off the wire."""

    def __init__(self, core):
        self.core = core

    def report_state(self, ctx, agent):
        if not isinstance(agent, dict):
            raise ValueError('report_state: agent must be an object')
        return self.core.agents.report(agent)

    def get_host_state(self, ctx, host, agent_type):
        return self.core.hoststate.get(host, agent_type)

    def update_port_status(self, ctx, port_id, status, host=None):
        if status not in PORT_STATUSES:
            raise ValueError('update_port_status: status must be one of %s'
                             % ', '.join(PORT_STATUSES))
        if not isinstance(port_id, str):
            raise ValueError('update_port_status: port_id must be a string')
        return self.core.ports.set_status(port_id, status)

    def get_ports_by_ip(self, ctx, network_id, ip_address):
        if not isinstance(network_id, str) or not isinstance(ip_address, str):
            raise ValueError('get_ports_by_ip: network_id and ip_address must be strings')
        return self.core.hoststate.ports_by_ip(network_id, ip_address)


def _context(values):
    return context_mod.RequestContext.from_dict(values or {})


def make_server(transport, core, host, executor='eventlet'):
    """An unstarted RPC server for the plugin topic on ``transport``."""
    return rpc.get_rpc_server(transport, rpcapi.PLUGIN_TOPIC, server=host,
                              endpoints=[PluginEndpoint(core)], exchange=rpcapi.EXCHANGE,
                              executor=executor, context_factory=_context)
