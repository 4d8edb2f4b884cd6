"""Step 7a: the worker side: RPC methods and periodic tasks."""
from common import manager
from common import service
from common.testing.toy.db import api as db_api


class ToyManager(manager.Manager):
    def __init__(self, conf, state, host=None):
        super().__init__(conf, host)
        self.state = state
        self.audits = 0

    def count_widgets(self, ctx, project_id):
        return db_api.count_widgets(self.state.db, project_id)

    @service.periodic_task(spacing=60, run_immediately=True)
    def _audit(self):
        self.audits += 1
