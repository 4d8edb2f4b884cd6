"""JSON request parsing and response construction."""
import datetime
import json

import webob

from common import exceptions


def _default(obj):
    if isinstance(obj, datetime.datetime):
        if obj.tzinfo is not None:
            obj = obj.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return obj.strftime('%Y-%m-%dT%H:%M:%S.%fZ' if obj.microsecond else '%Y-%m-%dT%H:%M:%SZ')
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError('%r is not JSON serialisable' % type(obj).__name__)


def dumps(body):
    return json.dumps(body, default=_default, separators=(',', ':'))


def json_response(body, status=200, headers=None, content_type='application/json'):
    """A webob Response carrying ``body`` as JSON."""
    resp = webob.Response(status=status, content_type=content_type, charset='UTF-8')
    if body is not None:
        resp.body = dumps(body).encode('utf-8')
    else:
        resp.content_type = None
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def to_response(req, result):
    if isinstance(result, webob.Response):
        return result
    if result is None:
        return webob.Response(status=204, content_type=None)
    return json_response(result)


def json_body(req, required=True, media_types=('application/json',)):
    """The request body parsed as a JSON object, or a 400 naming what is wrong."""
    raw = req.body
    if not raw:
        if required:
            raise exceptions.BadRequest('The request body is missing; a JSON object is required.')
        return None
    ctype = (req.content_type or '').lower()
    if ctype and media_types and ctype not in media_types:
        raise exceptions.UnsupportedMediaType(
            'Content-Type %s is not supported here; use %s.' % (ctype, ' or '.join(media_types)))
    try:
        body = json.loads(raw.decode('utf-8'))
    except (ValueError, UnicodeDecodeError) as exc:
        raise exceptions.BadRequest('Malformed JSON in request body: %s' % exc)
    if not isinstance(body, dict):
        raise exceptions.BadRequest('The request body must be a JSON object.')
    return body
