"""Step 5: ``toy-manage db-sync`` / ``db-version`` (a console script in setup.cfg)."""
from common import manage
from common.testing.toy.conf import CONF
from common.testing.toy.state import ToyState

main = manage.build(ToyState, CONF)
