"""``blockstore-manage``: db-sync (the only place blockstore migrations run; it also makes
the default volume type) and db-version."""
import sys

from blockstore.conf import CONF
from blockstore.state import BlockstoreState
from common import manage

main = manage.build(BlockstoreState, CONF)

if __name__ == '__main__':
    sys.exit(main())
