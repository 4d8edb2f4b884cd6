"""objectstore-proxy: serve the proxy pipeline (etc/objectstore/proxy-paste.ini) on 8080.

Run as ``python -m objectstore.proxy.server [--config-file proxy-server.conf]``.
"""
import eventlet

# Backend connections use the standard library; green them before anything imports it.
eventlet.monkey_patch()

import logging  # noqa: E402
import sys  # noqa: E402

from common import daemon  # noqa: E402
from objectstore import logsafe  # noqa: E402
from objectstore.proxy import conf as proxy_conf  # noqa: E402

LOG = logging.getLogger(__name__)
SERVICE = 'objectstore'


def build_service(conf):
    # S3 clients expect headers as stored: no added Content-Type, no recapitalized names.
    return daemon.build_api_service(conf, SERVICE, proxy_conf.DEFAULT_PORT,
                                    paste_name='proxy-paste.ini', daemon='objectstore-proxy',
                                    keep_missing_content_type=True,
                                    capitalize_response_headers=False)


def main(argv=None):
    conf = proxy_conf.CONF

    def services():
        logsafe.install()
        try:
            return [build_service(conf)]
        except Exception as exc:  # a bad ring or paste file: say so and exit non-zero
            LOG.error('cannot start: %s', exc)
            sys.exit(1)
    daemon.run(conf, SERVICE, 'objectstore-proxy', services, argv,
               config_name='proxy-server.conf', api_port=proxy_conf.DEFAULT_PORT)


if __name__ == '__main__':
    main()
