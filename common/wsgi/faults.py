"""Render errors in each OpenStack API's own fault format (clients parse these bodies)."""
import html
import logging
import urllib.parse

import webob
import webob.dec
import webob.exc

from common import client
from common import exceptions
from common.wsgi import response as wsgi_response

LOG = logging.getLogger(__name__)

# Compute and block storage name the fault object after the kind of error.
_NOVA_KEYS = {400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound',
              405: 'badMethod', 409: 'conflictingRequest', 413: 'overLimit',
              415: 'badMediaType', 429: 'overLimit', 501: 'notImplemented',
              503: 'serviceUnavailable'}
_NEUTRON_TYPES = {400: 'BadRequest', 401: 'NotAuthorized', 403: 'PolicyNotAuthorized',
                  404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict',
                  413: 'OverQuota', 415: 'UnsupportedMediaType', 503: 'ServiceUnavailable'}


# Longest message a fault body carries: messages quote short prefixes of bad values, and
# this bounds any that does not (a client must never get its 50 MB body echoed back).
MESSAGE_MAX = 1024


def render(style, code, title, message, extra=None):
    """A webob Response for an error in the given API style."""
    extra = extra or {}
    if len(message) > MESSAGE_MAX:
        message = message[:MESSAGE_MAX] + '...'
    if style == 'keystone':
        resp = wsgi_response.json_response(
            {'error': {'code': code, 'title': title, 'message': message}}, status=code)
    elif style == 'nova':
        key = _NOVA_KEYS.get(code, 'computeFault' if code >= 500 else 'badRequest')
        resp = wsgi_response.json_response({key: {'code': code, 'message': message}}, status=code)
    elif style == 'neutron':
        err_type = extra.get('type') or _NEUTRON_TYPES.get(code, 'NeutronError')
        resp = wsgi_response.json_response(
            {'NeutronError': {'type': err_type, 'message': message, 'detail': ''}}, status=code)
    elif style == 'html':
        body = ('<html>\n <head>\n  <title>%(c)d %(t)s</title>\n </head>\n <body>\n'
                '  <h1>%(c)d %(t)s</h1>\n  %(m)s<br /><br />\n\n\n\n </body>\n</html>'
                % {'c': code, 't': html.escape(title), 'm': html.escape(message)})
        resp = webob.Response(status=code, body=body.encode('utf-8', 'backslashreplace'),
                              content_type='text/html', charset='UTF-8')
    else:  # plain text, as the object store answers
        body = '<html><h1>%s</h1><p>%s</p></html>' % (html.escape(title), html.escape(message))
        resp = webob.Response(status=code, body=body.encode('utf-8', 'backslashreplace'),
                              content_type='text/html', charset='UTF-8')
    for key, value in extra.get('headers', {}).items():
        resp.headers[key] = value
    return resp


def undecodable_part(environ):
    """'path' or 'query string' when that part of the URL is not UTF-8 (WSGI hands the path
    over as Latin-1 text of its bytes), else None."""
    try:
        environ.get('PATH_INFO', '').encode('latin-1').decode('utf-8')
    except UnicodeError:
        return 'path'
    try:
        urllib.parse.unquote_to_bytes(environ.get('QUERY_STRING', '')).decode('utf-8')
    except UnicodeError:
        return 'query string'
    return None


class FaultWrapper:
    """Turn exceptions from inner layers into fault responses; hide internals of 500s.

    A URL that is not UTF-8 is refused here with a 400 (every controller would otherwise
    fail decoding it), unless the pipeline says ``utf8_urls = false`` because its app
    answers that itself (the object store, as Swift, with a 412).
    """

    def __init__(self, app, style='keystone', utf8_urls=True):
        self.app = app
        self.style = style
        self.utf8_urls = utf8_urls

    @classmethod
    def factory(cls, global_conf, **local_conf):
        def _filter(app):
            return cls(app, style=local_conf.get('style', 'keystone'),
                       utf8_urls=local_conf.get('utf8_urls', 'true').lower() != 'false')
        return _filter

    @webob.dec.wsgify
    def __call__(self, req):
        part = undecodable_part(req.environ) if self.utf8_urls else None
        if part is not None:
            return render(self.style, 400, 'Bad Request',
                          'The request %s is not valid UTF-8.' % part)
        try:
            return req.get_response(self.app)
        except exceptions.APIError as exc:
            if exc.code >= 500:
                LOG.error('request %s failed: %s', req.environ.get('openstack.request_id'), exc)
            return render(self.style, exc.code, exc.title, exc.message, exc.extra)
        except webob.exc.HTTPException as exc:
            return render(self.style, exc.code, exc.title, exc.detail or exc.explanation)
        except client.ClientError as exc:
            # Another service this request needed failed or could not be reached (it is
            # restarting, say): the client may retry, and deserves to know which one. A
            # refusal (4xx) nobody handled is a bug of ours, answered below as one.
            if exc.status is not None and exc.status < 500:
                return self._unexpected(req)
            LOG.exception('request %s %s: a service it depends on failed', req.method,
                          req.path)
            return render(self.style, 503, 'Service Unavailable',
                          'A service this request depends on failed: %s' % exc)
        except Exception:  # a bug: log it whole, tell the client only that it happened
            return self._unexpected(req)

    def _unexpected(self, req):
        LOG.exception('unexpected error in request %s %s', req.method, req.path)
        return render(self.style, 500, 'Internal Server Error',
                      'An unexpected error prevented the server from fulfilling your '
                      'request.')
