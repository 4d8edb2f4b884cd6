"""The per-process state of network-api: config, database, policy, transport, and the
Core (resource managers + agent notifier) that the API app and the agent RPC share."""
from common import state
from network import policies


class NetworkState(state.ServiceState):
    service = 'network'
    policy_rules = policies.list_rules
    migrations = 'network.db.migrations'

    @state.lazy
    def core(self):
        """The Core of this process (it tells compute when a server's port goes up)."""
        from network import compute_notifier
        from network import rpcapi
        from network.plugin import Core
        core = Core(self.conf, self.db, rpcapi.AgentNotifier(self.transport))
        core.transport = self.transport
        core.compute_notifier = compute_notifier.from_conf(self.conf)
        return core
