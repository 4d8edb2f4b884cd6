"""Step 4: the service's state (config, database, policy, transport) in one object."""
from common import state
from common.testing.toy import policies


class ToyState(state.ServiceState):
    service = 'toy'
    policy_rules = policies.list_rules
    migrations = 'common.testing.toy.db.migrations'
