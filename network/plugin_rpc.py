"""Server side of the agent RPC (topic ``network-plugin``): the endpoints agents call.

The contract (payloads) is documented in ``network.rpcapi``.
"""
import logging

from common import manager
from common import validators
from network import rpcapi

LOG = logging.getLogger(__name__)

PORT_STATUSES = ('ACTIVE', 'DOWN', 'BUILD', 'ERROR')


class PluginEndpoint(manager.Manager):
    """Methods agents call; arguments are checked since they come off the wire."""

    def __init__(self, core, host=None):
        super().__init__(core.conf, host)
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

    def report_metering(self, ctx, host, counts):
        """Packets and bytes each metering label counted on a router since the last report."""
        counts = _check_counts(counts)
        self.core.metering.add_counts(counts)
        return len(counts)

    def get_ports_by_ip(self, ctx, network_id, ip_address):
        if not isinstance(network_id, str) or not isinstance(ip_address, str):
            raise ValueError('get_ports_by_ip: network_id and ip_address must be strings')
        return self.core.hoststate.ports_by_ip(network_id, ip_address)


def _check_counts(counts):
    """The agent's metering deltas, checked as they come off the wire."""
    if not isinstance(counts, list):
        raise ValueError('report_metering: counts must be a list')
    checked = []
    for item in counts:
        if not isinstance(item, dict):
            raise ValueError('report_metering: each count must be an object')
        for key in ('label_id', 'router_id'):
            validators.uuid(item.get(key), key)
        for key in ('packets', 'bytes'):
            value = item.get(key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError('report_metering: %s must be a non-negative integer' % key)
        checked.append({k: item[k] for k in ('label_id', 'router_id', 'packets', 'bytes')})
    return checked


def make_service(core, host=None, executor='eventlet'):
    """The service serving the plugin topic (and ``network-plugin.<host>``) on the
    Core's transport, inside network-api."""
    return manager.ManagerService(core.conf, PluginEndpoint(core, host), rpcapi.PLUGIN_TOPIC,
                                  host=host, exchange=rpcapi.EXCHANGE,
                                  transport=core.transport, executor=executor,
                                  binary='network-plugin-rpc')
