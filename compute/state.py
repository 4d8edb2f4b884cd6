"""The per-process state of a compute daemon: config, database, policy, transport."""
from common import state
from compute import policies


class ComputeState(state.ServiceState):
    service = 'compute'
    policy_rules = policies.list_rules
    migrations = 'compute.db.migrations'
