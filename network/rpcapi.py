"""The RPC contract between network-api and the network agents (both directions).

Agents -> server: ``PluginApi`` calls on topic ``network-plugin`` in exchange ``network``
(served by network-api, endpoints in ``network.plugin_rpc``).

Server -> agents: ``AgentNotifier`` fanout casts on topic ``network-agent-<short>`` in
exchange ``network`` (short = bridge | dhcp | l3 | metadata).  A cast only says *what*
changed; agents re-pull their state with ``get_host_state`` (which is also what they do on
start, so a restarted agent converges to the same state).

Payloads (all plain JSON types; addresses as strings; ids are dashed UUIDs):

``get_host_state(ctx, host, agent_type)`` returns, by agent type:

* ``'Linux bridge agent'``::

    {'networks': [{'id', 'network_type': 'flat'|'vlan'|'local', 'physical_network',
                   'segmentation_id', 'mtu'}],
     'ports': [{'id', 'mac_address', 'network_id',
                'fixed_ips': [{'subnet_id', 'ip_address'}],
                'device_owner', 'device_id', 'admin_state_up', 'port_security_enabled',
                'allowed_address_pairs': [{'ip_address', 'mac_address'}],
                'security_group_ids': [...],
                'security_group_rules': [{'direction': 'ingress'|'egress',
                    'ethertype': 'IPv4'|'IPv6', 'protocol': None|'tcp'|'udp'|'icmp'|
                    'icmpv6'|<number as str>, 'port_range_min', 'port_range_max',
                    'remote_ip_prefix': None|cidr, 'remote_group_id': None|id,
                    'remote_ips': [ip, ...]  (member IPs of remote_group_id, this
                                              ethertype only; [] when no remote group)}],
                'tap_name': 'tap' + id[:11]}]}

  ``ports`` are the ports bound to ``host`` (binding:host_id == host) except the
  router/floating-IP/gateway ports the L3 agent plugs itself; ``networks`` are the
  networks of those ports.

* ``'DHCP agent'``::

    {'networks': [{'id', 'mtu', 'network_type', 'physical_network', 'segmentation_id',
                   'subnets': [{'id', 'cidr', 'ip_version', 'gateway_ip', 'enable_dhcp',
                                'dns_nameservers', 'host_routes': [{'destination',
                                'nexthop'}], 'allocation_pools': [{'start', 'end'}],
                                'ipv6_address_mode', 'ipv6_ra_mode'}],
                   'ports': [{'id', 'mac_address', 'fixed_ips', 'device_owner'}],
                   'dhcp_port': {'id', 'mac_address', 'fixed_ips'}}]}

  Every admin-up network with at least one DHCP-enabled subnet.  The server creates (and
  keeps) one port with device_owner ``network:dhcp`` bound to ``host`` per network, with
  one address on every DHCP-enabled subnet.

* ``'L3 agent'``::

    {'routers': [{'id', 'admin_state_up', 'enable_snat',
                  'gw_port': None | {'id', 'mac_address', 'fixed_ips', 'network_id',
                                     'subnets': [<subnet as above>],
                                     'network': {'id', 'network_type', 'physical_network',
                                                 'segmentation_id', 'mtu'}},
                  'interfaces': [{'id', 'mac_address', 'fixed_ips', 'network_id',
                                  'subnets': [...], 'network': {...}}],
                  'floating_ips': [{'id', 'floating_ip_address', 'fixed_ip_address',
                                    'port_id'}],
                  'routes': [{'destination', 'nexthop'}]}],
     'external_networks': [{'id', 'network_type', 'physical_network', 'segmentation_id',
                            'mtu', 'subnets': [...]}]}

* ``'Metadata agent'``: ``{}`` (it only uses ``get_ports_by_ip``).

``report_state(ctx, agent)`` with ``agent = {'binary', 'host', 'agent_type', 'topic',
'configurations': {...}}`` records a heartbeat; returns ``{'id', 'alive': True}``.

``update_port_status(ctx, port_id, status, host)``: status ``'ACTIVE'`` or ``'DOWN'``;
returns True if the port exists (False otherwise, e.g. deleted meanwhile).

``get_ports_by_ip(ctx, network_id, ip_address)`` returns ``[{'id', 'device_id',
'device_owner', 'project_id', 'network_id', 'mac_address'}]`` (instances first).

Fanout ``resources_changed(ctx, kind, ids)``: kind in RESOURCE_KINDS, ids the changed
(or deleted) resource ids; agents re-pull whatever may be affected.
"""
import logging

from common import rpc
from common import rpcapi

LOG = logging.getLogger(__name__)

EXCHANGE = 'network'
PLUGIN_TOPIC = 'network-plugin'

AGENT_BRIDGE = 'Linux bridge agent'
AGENT_DHCP = 'DHCP agent'
AGENT_L3 = 'L3 agent'
AGENT_METADATA = 'Metadata agent'

# agent_type -> short name used in topics and binaries.
AGENT_SHORT = {AGENT_BRIDGE: 'bridge', AGENT_DHCP: 'dhcp', AGENT_L3: 'l3',
               AGENT_METADATA: 'metadata'}
AGENT_TYPES = tuple(AGENT_SHORT)

RESOURCE_KINDS = ('port', 'network', 'subnet', 'security_group', 'router', 'floatingip')

# Which agents care about which kind of change.
INTERESTED = {
    'port': (AGENT_BRIDGE, AGENT_DHCP, AGENT_L3),
    'network': (AGENT_BRIDGE, AGENT_DHCP, AGENT_L3),
    'subnet': (AGENT_DHCP, AGENT_L3, AGENT_BRIDGE),
    'security_group': (AGENT_BRIDGE,),
    'router': (AGENT_L3,),
    'floatingip': (AGENT_L3,),
}


def agent_topic(agent_type):
    """The fanout topic of an agent type: ``network-agent-bridge`` etc."""
    return 'network-agent-%s' % AGENT_SHORT[agent_type]


def tap_name(port_id):
    """The tap device name of a port (Linux limits interface names to 15 characters)."""
    return 'tap' + port_id[:11]


class PluginApi(rpcapi.RPCAPI):
    """Client side used by agents to call network-api.

    ``host`` is an argument of two remote methods here (not the server a message goes
    to), so those two use the client directly."""

    TOPIC = PLUGIN_TOPIC
    EXCHANGE = EXCHANGE

    def report_state(self, ctx, agent):
        """Heartbeat: ``agent`` = {'binary', 'host', 'agent_type', 'topic', 'configurations'}."""
        return self._call(ctx, 'report_state', agent=agent)

    def get_host_state(self, ctx, host, agent_type):
        """The whole desired state of ``agent_type`` on ``host`` (see module docstring)."""
        return self.client.call(ctx, 'get_host_state', host=host, agent_type=agent_type)

    def update_port_status(self, ctx, port_id, status, host):
        """Report a port ``'ACTIVE'`` (plugged and configured) or ``'DOWN'``."""
        return self.client.call(ctx, 'update_port_status', port_id=port_id, status=status,
                                host=host)

    def report_metering(self, ctx, host, counts):
        """L3 agent: metering deltas [{label_id, router_id, packets, bytes}] since its last
        report; network-api adds them to the stored counters."""
        return self.client.call(ctx, 'report_metering', host=host, counts=counts)

    def get_ports_by_ip(self, ctx, network_id, ip_address):
        """Ports on ``network_id`` holding ``ip_address`` (metadata agent)."""
        return self._call(ctx, 'get_ports_by_ip', network_id=network_id,
                          ip_address=ip_address)


class AgentNotifier:
    """Server side: fanout casts telling agents to re-pull state."""

    def __init__(self, transport):
        self.transport = transport
        self._clients = {
            agent_type: rpc.RPCClient(transport, agent_topic(agent_type),
                                      exchange=EXCHANGE).prepare(fanout=True)
            for agent_type in AGENT_TYPES}

    def resources_changed(self, ctx, kind, ids, agent_types=None):
        """Cast ``resources_changed(kind, ids)`` to every agent type interested in ``kind``.

        Never raises: the change is already committed, and agents that miss a cast
        converge on their next resync.
        """
        if kind not in RESOURCE_KINDS:
            raise ValueError('unknown resource kind %r' % kind)
        ids = [ids] if isinstance(ids, str) else list(ids)
        for agent_type in agent_types or INTERESTED[kind]:
            try:
                self._clients[agent_type].cast(ctx, 'resources_changed', kind=kind, ids=ids)
            except Exception as exc:
                LOG.warning('cannot notify %s agents of %s %s: %s', agent_type, kind, ids, exc)
