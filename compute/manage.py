"""``compute-manage``: db-sync (the only place compute migrations run) and db-version."""
import sys

from common import manage
from compute.api import consoles
from compute.conf import CONF
from compute.state import ComputeState

consoles.register_opts(CONF)   # the [vnc] group of a shared compute.conf
main = manage.build(ComputeState, CONF)

if __name__ == '__main__':
    sys.exit(main())
