"""Step 1: the options of the service."""
from common import config
from common import daemon

CONF = config.ConfigOpts()

OPTS = [
    config.IntOpt('pagination_max_limit', default=1000, min=1,
                  help='Most widgets one list answer holds.'),
]


def register(conf):
    daemon.register_api_opts(conf)
    conf.register_opts(OPTS, group='toy')


register(CONF)
