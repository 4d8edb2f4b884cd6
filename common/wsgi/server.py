"""Serve a paste-deployed WSGI app with eventlet.wsgi, as a launcher Service."""
import errno
import logging
import os
import socket

import eventlet
import eventlet.wsgi
from paste import deploy

from common import config
from common import service as service_mod

LOG = logging.getLogger(__name__)

OPTS = [
    config.StrOpt('bind_host', default='0.0.0.0', help='Address the API listens on.'),
    config.PortOpt('bind_port', default=0, help='Port the API listens on (0: the service default).'),
    config.StrOpt('paste_config', default=None,
                  help='The api-paste.ini to load (default: etc/<service>/api-paste.ini).'),
    config.IntOpt('workers', default=1, min=1,
                  help='Processes serving the API on one shared listening socket (each with '
                       'its own database pool and message broker connection).'),
    config.IntOpt('max_connections', default=1000, min=1,
                  help='Concurrent connections served (green threads).'),
    config.IntOpt('client_socket_timeout', default=900, min=0,
                  help='Seconds a client connection may idle before it is closed (0: never).'),
    config.StrOpt('public_endpoint', default=None,
                  help='Base URL clients reach this API at, used in every link and '
                       'Location header; default: the address this server listens on '
                       '(never the Host header a client sends).'),
    config.IntOpt('max_request_body_size', default=114688, min=0,
                  help='Largest request body accepted, in bytes (0: no limit); larger '
                       'ones answer 413. Streaming uploads the paste pipeline exempts '
                       '(image data, objects) are not limited.'),
]


def register_opts(conf):
    conf.register_opts(OPTS, group='api')


# Listening sockets a parent bound before forking its workers, by (host, port): a worker's
# WSGIService takes its socket from here instead of binding again.
_BOUND = {}


def bind(host, port):
    """A listening socket on ``host``:``port``, retried while a previous process lets go
    of the port.

    Never SO_REUSEPORT (eventlet's default on Linux): with it a restarted API shares the
    port with the workers of the process it replaces while they drain, and connections the
    kernel hands to their closing socket are reset; a second copy of a daemon would also
    start silently on a port already served."""
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    for _attempt in range(30):
        try:
            return eventlet.listen((host, port), family=family, backlog=1024,
                                   reuse_port=False)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            eventlet.sleep(1)
    raise RuntimeError('cannot bind %s:%s: address in use' % (host, port))


def bind_for_workers(host, port):
    """Bind in the parent; the workers it forks then share this socket."""
    _BOUND[(host, port)] = bind(host, port)


class _NullLog:
    def write(self, *_args):
        pass


def load_paste_app(path, name='main', conf=None, **global_conf):
    """The WSGI app ``name`` of a paste.deploy ini file; factories reach ``conf`` with
    ``common.config.from_paste(global_conf)``."""
    if not path or not os.path.exists(path):
        raise RuntimeError('paste config %s not found' % path)
    if conf is not None:
        global_conf['__conf__'] = config.register_instance(conf)
    return deploy.loadapp('config:%s' % os.path.abspath(path), name=name,
                          global_conf=global_conf)


def _protocol_for(service):
    """An HttpProtocol that closes each connection after its current response once the
    service is stopping (a busy keep-alive client cannot hold a SIGTERM off) and, when
    asked, leaves CONTENT_TYPE unset if the client sent none (eventlet invents
    text/plain, which hides that the object store must guess the type)."""
    class _Protocol(eventlet.wsgi.HttpProtocol):
        def handle_one_response(self):
            if service.stopping:
                self.close_connection = 1
            return super().handle_one_response()

        def get_environ(self, *args, **kwargs):
            env = super().get_environ(*args, **kwargs)
            if service.keep_missing_content_type and self.headers.get('content-type') is None:
                env.pop('CONTENT_TYPE', None)
            return env
    return _Protocol


class WSGIService(service_mod.Service):
    """An eventlet.wsgi server for one app on one socket; stops accepting on SIGTERM and
    lets requests in flight finish."""

    def __init__(self, name, app, host, port, max_connections=1000, socket_timeout=900,
                 keep_missing_content_type=False, capitalize_response_headers=True):
        self.name = name
        self.keep_missing_content_type = keep_missing_content_type
        # S3 clients expect x-amz-meta-* header names exactly as they were stored.
        self.capitalize_response_headers = capitalize_response_headers
        self.app = app
        self.max_connections = max_connections
        self.socket_timeout = socket_timeout or None
        # Idle keep-alive connections are closed after this many seconds, which also bounds
        # how long a SIGTERM waits for clients that keep a connection open.
        self.keepalive_idle = 5
        self.pool = eventlet.GreenPool(max_connections)
        self.socket = self._bind(host, port)
        self.host, self.port = self.socket.getsockname()[:2]
        self._server = None
        self.stopping = False

    @staticmethod
    def _bind(host, port):
        return _BOUND.get((host, port)) or bind(host, port)

    def start(self):
        LOG.info('%s listening on %s:%s', self.name, self.host, self.port)
        self._server = eventlet.spawn(
            eventlet.wsgi.server, self.socket, self.app, custom_pool=self.pool,
            log=_NullLog(), log_output=False, socket_timeout=self.socket_timeout,
            keepalive=self.keepalive_idle, debug=False, max_size=self.max_connections,
            protocol=_protocol_for(self),
            capitalize_response_headers=self.capitalize_response_headers)

    def stop(self, graceful=True):
        self.stopping = True
        try:
            self.socket.close()
        except OSError:
            pass
        if self._server is not None and not graceful:
            self._server.kill()

    def wait(self):
        # In-flight requests run in the pool; wait for them, then for the accept loop.
        self.pool.waitall()
        if self._server is not None:
            self._server.kill()
