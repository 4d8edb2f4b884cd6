"""Step 11: the daemons' mains (console scripts in setup.cfg)."""
from common import daemon
from common import manager
from common.testing.toy import rpcapi
from common.testing.toy.conf import CONF
from common.testing.toy.db import models
from common.testing.toy.manager import ToyManager
from common.testing.toy.state import ToyState

API_PORT = 9999


def api_main(argv=None):
    """toy-api: refuses to start unless ``toy-manage db-sync`` ran."""
    daemon.run_api(CONF, 'toy', API_PORT, argv, state=ToyState)


def worker_services(conf, executor='eventlet'):
    state = ToyState.get(conf)
    return [manager.ManagerService(
        conf, ToyManager(conf, state), rpcapi.TOPIC, exchange=rpcapi.EXCHANGE,
        executor=executor,
        heartbeat=manager.heartbeat(state, models.SERVICES, 'toy-worker', conf.host,
                                    rpcapi.TOPIC))]


def worker_main(argv=None):
    daemon.run(CONF, 'toy', 'toy-worker', lambda: worker_services(CONF), argv,
               state=ToyState)
