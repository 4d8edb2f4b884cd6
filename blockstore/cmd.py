"""Console-script mains: blockstore-api, blockstore-scheduler, blockstore-volume.
All refuse to start until ``blockstore-manage db-sync`` ran."""
import eventlet

eventlet.monkey_patch()

from blockstore.conf import CONF  # noqa: E402
from blockstore.services import scheduler_services, volume_services  # noqa: E402
from blockstore.state import BlockstoreState  # noqa: E402
from common import daemon  # noqa: E402

API_PORT = 8776


def api_main(argv=None):
    """blockstore-api: Cinder's v3 API on port 8776."""
    daemon.run_api(CONF, 'blockstore', API_PORT, argv, state=BlockstoreState)


def scheduler_main(argv=None):
    daemon.run(CONF, 'blockstore', 'blockstore-scheduler', lambda: scheduler_services(CONF),
               argv, state=BlockstoreState)


def volume_main(argv=None):
    daemon.run(CONF, 'blockstore', 'blockstore-volume', lambda: volume_services(CONF), argv,
               state=BlockstoreState)
