"""Options of the dashboard daemon."""
from common import config
from common import service
from common.wsgi import server

CONF = config.ConfigOpts()

OPTS = [
    config.StrOpt('auth_url', default='http://127.0.0.1:5000/v3',
                  help='Public identity URL users log in at (with or without /v3).'),
    config.StrOpt('region_name', default=None,
                  help='Catalog region the dashboard uses (default: any).'),
    config.StrOpt('interface', default='public', choices=['public', 'internal', 'admin'],
                  help='Catalog interface of the endpoints the dashboard calls.'),
    config.StrOpt('secret_key', default=None, secret=True,
                  help='Key that signs session cookies (default: read or made in '
                       'secret_key_file).'),
    config.StrOpt('secret_key_file', default=None,
                  help='File holding the cookie signing key; made (mode 600) when absent. '
                       'Default: $state_path/dashboard-secret.key.'),
    config.StrOpt('session_store', default='memory://',
                  help='Where sessions are kept: memory:// (this process) or a '
                       'redis://host:port/db URL (shared by several dashboard processes).'),
    config.IntOpt('session_idle_timeout', default=1800, min=30,
                  help='Seconds of inactivity after which a session ends.'),
    config.BoolOpt('cookie_secure', default=False,
                   help='Send the session cookie only over HTTPS.'),
    config.IntOpt('page_size', default=20, min=1, max=1000,
                  help='Rows in one page of a table (passed to the APIs as limit).'),
    config.IntOpt('api_timeout', default=60, min=1,
                  help='Seconds a call to a service may take.'),
]


def register(conf):
    service.register_opts(conf)
    server.register_opts(conf)
    conf.register_opts(OPTS, group='dashboard')


register(CONF)
