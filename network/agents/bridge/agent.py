"""network-bridge-agent: the Linux bridge datapath of this host's ports."""
import logging
import os

from common import config as config_mod
from common import service as service_mod
from network import rpcapi
from network.agents.bridge import datapath
from network.agents.common import agent as agent_mod
from network.agents.common import config

LOG = logging.getLogger(__name__)


class BridgeAgent(agent_mod.Agent):
    agent_type = rpcapi.AGENT_BRIDGE
    binary = 'network-bridge-agent'

    def __init__(self, conf, plugin_api=None, transport=None, dp=None):
        super().__init__(conf, plugin_api, transport)
        self.datapath = dp or datapath.BridgeDatapath(
            conf.linux_bridge.physical_interface_mappings,
            chain_prefix=conf.securitygroup.chain_prefix,
            create_missing_taps=conf.bridge_agent.create_missing_taps,
            enable_security_group=conf.securitygroup.enable_security_group)

    def configurations(self):
        return {'interface_mappings': self.conf.linux_bridge.physical_interface_mappings,
                'devices': len(self._reported)}

    def converge(self, state):
        self.report_port_statuses(self.datapath.converge(state))

    @service_mod.periodic_task(spacing=2)
    def watch_taps(self):
        """Resync as soon as the hypervisor creates a tap we are waiting for."""
        if any(os.path.exists('/sys/class/net/' + tap) for tap in self.datapath.waiting_taps):
            self.trigger_resync()


def make_conf():
    return config.register(config_mod.ConfigOpts(), 'bridge', 'securitygroup', 'bridge_agent')


def main(argv=None):
    agent_mod.main(BridgeAgent, make_conf(), 'agents/bridge.ini', argv)


if __name__ == '__main__':
    main()
