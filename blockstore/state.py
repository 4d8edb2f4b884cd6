"""The per-process state of the blockstore daemons (config, database, policy, transport)
and the image API client they share."""
from blockstore import policies
from common import state


class BlockstoreState(state.ServiceState):
    service = 'blockstore'
    policy_rules = policies.list_rules
    migrations = 'blockstore.db.migrations'

    @state.lazy
    def image_source(self):
        """The image API as block storage uses it (tests assign a fake before first use)."""
        from blockstore.volume import images
        return images.ImageSource(self.conf)
