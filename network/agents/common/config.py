"""Options of the network agents; each agent registers the groups it uses on its own ConfigOpts."""
from common import config
from common import service

AGENT_OPTS = [
    config.IntOpt('resync_interval', default=30, min=1,
                  help='Seconds between full re-pulls of the desired state from network-api.'),
    config.IntOpt('rpc_timeout', default=60, min=1,
                  help='Seconds an RPC call to network-api may take.'),
    config.FloatOpt('retry_interval', default=2.0, min=0.1,
                    help='Seconds before retrying a resync that failed.'),
    config.StrOpt('availability_zone', default='nova',
                  help='Availability zone this agent reports (DHCP and L3 agents: '
                       'networks and routers are placed by their availability_zone_hints).'),
    config.IntOpt('metering_report_interval', default=60, min=1,
                  help='L3 agent: seconds between reports of the metering counters to '
                       'network-api.'),
]

BRIDGE_OPTS = [
    config.DictOpt('physical_interface_mappings', default={},
                   help='physical_network:interface pairs, e.g. physnet1:eth1.'),
]

SECURITY_GROUP_OPTS = [
    config.BoolOpt('enable_security_group', default=True,
                   help='Filter port traffic by security groups (iptables, ipset, ebtables).'),
    config.StrOpt('chain_prefix', default='cs',
                  help='Prefix of the iptables/ebtables chains and ipsets this agent owns.'),
]

BRIDGE_AGENT_OPTS = [
    config.BoolOpt('create_missing_taps', default=False,
                   help='Create a tap for a bound port whose tap does not exist yet '
                        '(normally the hypervisor creates it; meant for tests).'),
]

METADATA_OPTS = [
    config.StrOpt('nova_metadata_host', default='127.0.0.1',
                  help='Host of the compute metadata service.'),
    config.PortOpt('nova_metadata_port', default=8775,
                   help='Port of the compute metadata service.'),
    config.StrOpt('metadata_proxy_shared_secret', default='', secret=True,
                  help='Secret shared with the compute metadata service to sign instance ids.'),
    config.StrOpt('metadata_proxy_socket', default='',
                  help='Unix socket of the metadata agent (default: <state_path>/metadata_proxy).'),
    config.BoolOpt('enable_metadata_proxy', default=True,
                   help='Run a metadata proxy (169.254.169.254:80) in DHCP/router namespaces.'),
]

DHCP_OPTS = [
    config.StrOpt('dnsmasq_binary', default='dnsmasq', help='dnsmasq executable.'),
    config.IntOpt('dhcp_lease_duration', default=86400, min=120,
                  help='DHCP lease time in seconds.'),
    config.StrOpt('dns_domain', default='openstacklocal',
                  help='Domain of the host names dnsmasq hands out.'),
    config.ListOpt('dnsmasq_dns_servers', default=[],
                   help='Upstream DNS servers for dnsmasq (none: only local names).'),
]


def register(conf, *groups):
    """Register the common options plus ``groups`` (names from GROUPS)."""
    service.register_opts(conf)
    conf.register_opts(AGENT_OPTS, group='agent')
    for name in groups:
        group, opts = GROUPS[name]
        conf.register_opts(opts, group=group)
    return conf


GROUPS = {
    'bridge': ('linux_bridge', BRIDGE_OPTS),
    'securitygroup': ('securitygroup', SECURITY_GROUP_OPTS),
    'bridge_agent': ('bridge_agent', BRIDGE_AGENT_OPTS),
    'metadata': ('DEFAULT', METADATA_OPTS),
    'dhcp': ('dhcp', DHCP_OPTS),
}
