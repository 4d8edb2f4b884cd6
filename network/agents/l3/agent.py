"""network-l3-agent: routers, SNAT and floating IPs in namespaces."""
import logging
import os

from common import config as config_mod
from common import service as service_mod
from network import rpcapi
from network.agents.common import agent as agent_mod
from network.agents.common import config
from network.agents.l3 import datapath
from network.agents.metadata import launcher

LOG = logging.getLogger(__name__)


class L3Agent(agent_mod.Agent):
    agent_type = rpcapi.AGENT_L3
    binary = 'network-l3-agent'

    def __init__(self, conf, plugin_api=None, transport=None):
        super().__init__(conf, plugin_api, transport)
        proxies = None
        if conf.enable_metadata_proxy:
            proxies = launcher.ProxyLauncher(conf.state_path, launcher.socket_path(conf))
        self.datapath = datapath.L3Datapath(os.path.join(conf.state_path, 'l3-agent'),
                                            conf.linux_bridge.physical_interface_mappings,
                                            proxies)
        self.routers = 0
        self._periodic.spacing_overrides['report_metering'] = \
            conf.agent.metering_report_interval

    def configurations(self):
        return {'routers': self.routers}

    def converge(self, state):
        self.routers = len(state.get('routers', []))
        self.report_port_statuses(self.datapath.converge(state))

    @service_mod.periodic_task(spacing=60)
    def report_metering(self):
        """Send network-api what each metering label counted since the last report (it
        adds the deltas up; ``network-manage metering-report`` prints them)."""
        counts = self.datapath.read_counters().take()
        if not counts:
            return
        try:
            self.plugin.report_metering(self.ctx, self.host, counts)
        except Exception as exc:
            self.datapath.counters.restore(counts)
            LOG.warning('cannot report metering counters (kept for the next report): %s', exc)
            return
        for item in counts:
            LOG.info('metering label %s router %s: %d packets, %d bytes', item['label_id'],
                     item['router_id'], item['packets'], item['bytes'])


def make_conf():
    return config.register(config_mod.ConfigOpts(), 'bridge', 'metadata')


def main(argv=None):
    agent_mod.main(L3Agent, make_conf(), 'agents/l3.ini', argv)


if __name__ == '__main__':
    main()
