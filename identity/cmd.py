"""Entry points of the identity daemons."""
import eventlet

eventlet.monkey_patch()

from common import daemon  # noqa: E402
from identity.conf import CONF  # noqa: E402

DEFAULT_PORT = 5000


def api_main(argv=None):
    """identity-api: the Identity API v3 on port 5000 (refuses an old schema: run
    ``identity-manage db-sync`` or ``bootstrap`` first)."""
    from identity.state import IdentityState
    daemon.run_api(CONF, 'identity', DEFAULT_PORT, argv, state=IdentityState)


if __name__ == '__main__':
    api_main()
