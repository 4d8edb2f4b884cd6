"""``network-manage``: db-sync (the only place network migrations run) and db-version."""
import sys

from common import manage
from network.conf import CONF
from network.state import NetworkState

main = manage.build(NetworkState, CONF)

if __name__ == '__main__':
    sys.exit(main())
