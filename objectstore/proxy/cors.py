"""CORS for containers: preflight (OPTIONS) answers and headers on actual responses.

Allowed origins are the container's X-Container-Meta-Access-Control-Allow-Origin (space
separated, ``*`` for any) plus the proxy's ``cors_allow_origin``; Max-Age and
Expose-Headers come from the matching container metadata.
"""
import webob

from objectstore.proxy import utils

ALLOWED_METHODS = 'HEAD, GET, PUT, POST, COPY, OPTIONS, DELETE'
DEFAULT_EXPOSE = ('cache-control', 'content-language', 'content-type', 'expires',
                  'last-modified', 'pragma', 'etag', 'x-timestamp', 'x-trans-id',
                  'x-openstack-request-id')


def allowed_origins(cinfo, global_origins):
    value = (cinfo or {}).get('meta', {}).get('access-control-allow-origin') or ''
    return set(value.split()) | set(global_origins)


def origin_allowed(origin, origins):
    return bool(origin) and ('*' in origins or origin in origins)


def preflight(req, cinfo, global_origins):
    """The answer to an OPTIONS request."""
    origin = req.headers.get('Origin')
    if not origin:
        resp = webob.Response(status=200, headerlist=[('Allow', ALLOWED_METHODS)])
        resp.content_length = 0
        return resp
    method = req.headers.get('Access-Control-Request-Method')
    origins = allowed_origins(cinfo, global_origins)
    if cinfo is None or cinfo['status'] >= 300 or not origin_allowed(origin, origins) \
            or not method or method.upper() not in ALLOWED_METHODS.split(', '):
        return utils.error_response(401, 'CORS preflight denied for origin %s' % origin)
    resp = webob.Response(status=200, headerlist=[])
    resp.headers['Allow'] = ALLOWED_METHODS
    resp.headers['Access-Control-Allow-Origin'] = origin
    resp.headers['Access-Control-Allow-Methods'] = ALLOWED_METHODS
    requested = req.headers.get('Access-Control-Request-Headers')
    if requested:
        resp.headers['Access-Control-Allow-Headers'] = requested
    max_age = cinfo['meta'].get('access-control-max-age')
    if max_age and max_age.isdigit():
        resp.headers['Access-Control-Max-Age'] = max_age
    resp.headers['Vary'] = 'Origin'
    resp.content_length = 0
    return resp


def decorate(req, resp, cinfo, global_origins):
    """Add Access-Control-* headers to an actual response for an allowed origin."""
    origin = req.headers.get('Origin')
    if not origin_allowed(origin, allowed_origins(cinfo, global_origins)):
        return resp
    expose = set(DEFAULT_EXPOSE)
    expose.update(k.lower() for k in resp.headers.keys()
                  if k.lower().startswith(('x-object-meta-', 'x-container-meta-')))
    extra = (cinfo or {}).get('meta', {}).get('access-control-expose-headers') or ''
    expose.update(h.strip().lower() for h in extra.replace(',', ' ').split() if h.strip())
    resp.headers['Access-Control-Allow-Origin'] = origin
    resp.headers['Access-Control-Expose-Headers'] = ', '.join(sorted(expose))
    resp.headers['Vary'] = 'Origin'
    return resp
