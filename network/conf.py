"""The network service's configuration options."""
from common import config
from common import daemon

CONF = config.ConfigOpts()

NETWORK_OPTS = [
    config.StrOpt('base_mac', default='fa:16:3e:00:00:00',
                  help='MAC prefix of generated port addresses: octets that are 00 are '
                       'randomised, the others kept (the first three are always kept).'),
    config.IntOpt('mac_generation_retries', default=16, min=1,
                  help='Attempts to find a MAC address unused on the network.'),
    config.IntOpt('global_physnet_mtu', default=1500, min=68,
                  help='MTU of the physical networks; networks get this MTU.'),
    config.IntOpt('agent_down_time', default=75, min=1,
                  help='Seconds without a report_state after which an agent is dead.'),
    config.IntOpt('pagination_max_limit', default=1000, min=1,
                  help='Most items one list call returns (a larger limit is capped).'),
    config.IntOpt('max_fixed_ips_per_port', default=5, min=1,
                  help='Most fixed IPs one port may hold.'),
    config.IntOpt('db_retries', default=30, min=1,
                  help='Attempts of a write that lost a race (duplicate address, lock).'),
    config.IntOpt('rpc_timeout', default=60, min=1, help='Seconds an RPC call may take.'),
    config.BoolOpt('rpc_server', default=True,
                   help='Serve the agent RPC (topic network-plugin) in network-api.'),
]

ML2_OPTS = [
    config.ListOpt('tenant_network_types', default=['local'],
                   help='Types given to networks created without provider attributes, tried '
                        'in order (local, vlan).'),
    config.ListOpt('flat_networks', default=['*'],
                   help='Physical networks flat networks may use (* = any).'),
]

VLAN_OPTS = [
    config.ListOpt('network_vlan_ranges', default=[],
                   help='physnet:min:max ranges VLAN tenant networks are allocated from; a '
                        'bare physnet allows only explicit provider VLANs on it.'),
]

QUOTA_OPTS = [
    config.IntOpt('quota_network', default=100, min=-1, help='Networks per project (-1: no limit).'),
    config.IntOpt('quota_subnet', default=100, min=-1, help='Subnets per project (-1: no limit).'),
    config.IntOpt('quota_port', default=500, min=-1, help='Ports per project (-1: no limit).'),
    config.IntOpt('quota_router', default=10, min=-1, help='Routers per project (-1: no limit).'),
    config.IntOpt('quota_floatingip', default=50, min=-1,
                  help='Floating IPs per project (-1: no limit).'),
    config.IntOpt('quota_security_group', default=10, min=-1,
                  help='Security groups per project (-1: no limit).'),
    config.IntOpt('quota_security_group_rule', default=100, min=-1,
                  help='Security group rules per project (-1: no limit).'),
    config.IntOpt('quota_subnetpool', default=-1, min=-1,
                  help='Subnet pools per project (-1: no limit).'),
    config.IntOpt('quota_rbac_policy', default=10, min=-1,
                  help='RBAC policies per project (-1: no limit).'),
]



def register(conf):
    daemon.register_api_opts(conf)
    conf.register_opts(NETWORK_OPTS, group='network')
    conf.register_opts(ML2_OPTS, group='ml2')
    conf.register_opts(VLAN_OPTS, group='ml2_type_vlan')
    conf.register_opts(QUOTA_OPTS, group='quotas')
    from network import compute_notifier
    compute_notifier.register_opts(conf)


register(CONF)
