"""Step 7b: the client side of the worker's RPC, one line per remote method."""
from common import rpcapi

TOPIC = 'toy-worker'
EXCHANGE = 'toy'


class ToyAPI(rpcapi.RPCAPI):
    TOPIC = TOPIC
    EXCHANGE = EXCHANGE

    def count_widgets(self, ctx, project_id, host=None):
        return self._call(ctx, 'count_widgets', host=host, project_id=project_id)
