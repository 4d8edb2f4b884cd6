"""The base URL an API puts in its links and Location headers.

It is ``[api] public_endpoint`` when configured, otherwise the address and port the
client's connection reached (the server's side of the socket). It is never the ``Host``
header: a client could set that to anything and have it echoed back in documents that
other clients or caches trust.
"""

_DEFAULT_PORTS = {'http': '80', 'https': '443'}


def public_url(conf, req):
    """``scheme://host[:port]`` of this API for ``req``, without a trailing slash."""
    configured = conf.api.public_endpoint
    if configured:
        return configured.rstrip('/')
    environ = req.environ
    scheme = environ.get('wsgi.url_scheme', 'http')
    host = environ.get('SERVER_NAME') or 'localhost'
    if ':' in host and not host.startswith('['):
        host = '[%s]' % host
    port = str(environ.get('SERVER_PORT') or '')
    if port and port != _DEFAULT_PORTS.get(scheme):
        host = '%s:%s' % (host, port)
    return '%s://%s' % (scheme, host)


def absolute(conf, req, path):
    """``path`` (starting with '/') under this API's public URL."""
    return public_url(conf, req) + path
