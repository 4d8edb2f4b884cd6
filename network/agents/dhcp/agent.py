"""network-dhcp-agent: DHCP (dnsmasq) and the metadata proxy for each network."""
import os

from common import config as config_mod
from network import rpcapi
from network.agents.common import agent as agent_mod
from network.agents.common import config
from network.agents.dhcp import datapath
from network.agents.metadata import launcher


class DhcpAgent(agent_mod.Agent):
    agent_type = rpcapi.AGENT_DHCP
    binary = 'network-dhcp-agent'

    def __init__(self, conf, plugin_api=None, transport=None):
        super().__init__(conf, plugin_api, transport)
        proxies = None
        if conf.enable_metadata_proxy:
            proxies = launcher.ProxyLauncher(conf.state_path, launcher.socket_path(conf))
        self.datapath = datapath.DhcpDatapath(
            os.path.join(conf.state_path, 'dhcp-agent'),
            conf.linux_bridge.physical_interface_mappings, proxies,
            binary=conf.dhcp.dnsmasq_binary, lease=conf.dhcp.dhcp_lease_duration,
            domain=conf.dhcp.dns_domain, dns_servers=conf.dhcp.dnsmasq_dns_servers)
        self.networks = 0

    def configurations(self):
        return {'networks': self.networks, 'dhcp_driver': 'dnsmasq'}

    def converge(self, state):
        self.networks = len(state.get('networks', []))
        self.datapath.converge(state)


def make_conf():
    return config.register(config_mod.ConfigOpts(), 'bridge', 'dhcp', 'metadata')


def main(argv=None):
    agent_mod.main(DhcpAgent, make_conf(), 'agents/dhcp.ini', argv)


if __name__ == '__main__':
    main()
