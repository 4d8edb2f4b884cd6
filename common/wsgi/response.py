"""JSON request parsing and response construction."""
import datetime
import json
import re

import webob

from common import exceptions
from common import validators

# Deepest nesting of arrays and objects a request body may have: far beyond any API's
# documents, far below what would exhaust the parser's stack.
MAX_JSON_DEPTH = 64
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r'[\[\]{}]')


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
        # A CR/LF in a header would start another one: refuse it here, whatever set it.
        resp.headers[key] = validators.header_value(value, key)
    return resp


def to_response(req, result):
    if isinstance(result, webob.Response):
        return result
    if result is None:
        return webob.Response(status=204, content_type=None)
    return json_response(result)


def _refuse_constant(name):
    raise ValueError('%s is not JSON' % name)


def _depth(text):
    """The deepest nesting of arrays and objects in JSON ``text`` (strings skipped), counted
    without recursion."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub('""', text)):
        if bracket in '[{':
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def parse_json(raw, max_depth=MAX_JSON_DEPTH):
    """Strict JSON from request bytes: UTF-8, nested at most ``max_depth`` deep, no NaN or
    Infinity, no lone UTF-16 surrogate in any string; anything else is a 400."""
    try:
        text = raw.decode('utf-8') if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise exceptions.BadRequest('Malformed JSON in request body: it is not valid UTF-8 '
                                    '(byte %d).' % exc.start)
    if _depth(text) > max_depth:
        raise exceptions.BadRequest('The JSON request body is nested more than %d levels '
                                    'deep.' % max_depth)
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        # The parser's message names a position, never the input itself.
        raise exceptions.BadRequest('Malformed JSON in request body: %s' % exc)
    path = validators.find_surrogate(data)
    if path is not None:
        raise exceptions.BadRequest('Invalid input for %s: the string holds a lone UTF-16 '
                                    'surrogate (\\ud800-\\udfff), which is not a character.'
                                    % ('/'.join(str(p) for p in path) or '(body)'))
    return data


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
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise exceptions.BadRequest('The request body must be a JSON object.')
    return body
