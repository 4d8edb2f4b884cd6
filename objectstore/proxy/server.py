"""objectstore-proxy: serve the proxy pipeline (etc/objectstore/proxy-paste.ini) on 8080.

Run as ``python -m objectstore.proxy.server [--config-file proxy-server.conf]``.
"""
import eventlet

# Backend connections use the standard library; green them before anything imports it.
eventlet.monkey_patch()

import logging  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from common import config  # noqa: E402
from common import daemon  # noqa: E402
from common import log as log_mod  # noqa: E402
from common.wsgi import server as wsgi_server  # noqa: E402
from objectstore.proxy import conf as proxy_conf  # noqa: E402

LOG = logging.getLogger(__name__)
SERVICE = 'objectstore'


def paste_path(conf):
    path = conf.api.paste_config
    if not path:
        return config.find_config_file(SERVICE, 'proxy-paste.ini')
    if not os.path.isabs(path) and conf.config_files:
        path = os.path.join(os.path.dirname(conf.config_files[0]), path)
    return path


def build_service(conf):
    app = wsgi_server.load_paste_app(paste_path(conf), name='main', conf=conf)
    return wsgi_server.WSGIService('objectstore-proxy', app, conf.api.bind_host,
                                   conf.api.bind_port or proxy_conf.DEFAULT_PORT,
                                   max_connections=conf.api.max_connections,
                                   socket_timeout=conf.api.client_socket_timeout,
                                   keep_missing_content_type=True,
                                   capitalize_response_headers=False)


def main(argv=None):
    conf = proxy_conf.CONF
    args = daemon.parse_args(SERVICE, 'objectstore-proxy', argv)
    files = args.config_file
    if not files:
        default = config.find_config_file(SERVICE, 'proxy-server.conf')
        files = [default] if default else []
    try:
        conf.load(files)
    except config.ConfigError as exc:
        sys.stderr.write('configuration error: %s\n' % exc)
        sys.exit(2)
    log_mod.setup(conf, debug=args.debug or None)
    LOG.info('objectstore-proxy starting with config %s', ', '.join(files) or '(defaults)')
    try:
        service = build_service(conf)
    except Exception as exc:  # a bad ring or paste file: say so and exit non-zero
        LOG.error('cannot start: %s', exc)
        sys.exit(1)
    daemon.run_services(conf, [service])


if __name__ == '__main__':
    main()
