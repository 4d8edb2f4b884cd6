"""Account and container listings in text, JSON or XML."""
import json
from xml.sax import saxutils

import webob

CONTENT_TYPES = {'json': 'application/json', 'xml': 'application/xml',
                 'plain': 'text/plain'}
_CONTAINER_FIELDS = ('name', 'hash', 'bytes', 'content_type', 'last_modified')
_ACCOUNT_FIELDS = ('name', 'count', 'bytes', 'last_modified')


def _xml(kind, name, rows, fields):
    item = 'object' if kind == 'container' else 'container'
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<%s name=%s>' % (kind, saxutils.quoteattr(name))]
    for row in rows:
        if 'subdir' in row:
            out.append('<subdir name=%s><name>%s</name></subdir>' % (
                saxutils.quoteattr(row['subdir']), saxutils.escape(row['subdir'])))
            continue
        out.append('<%s>' % item)
        for field in fields:
            if field in row:
                out.append('<%s>%s</%s>' % (field, saxutils.escape(str(row[field])), field))
        out.append('</%s>' % item)
    out.append('</%s>' % kind)
    return '\n'.join(out).encode('utf-8')


def render(kind, name, rows, fmt, headers):
    """A listing response; empty plain-text listings answer 204 as the reference does."""
    if fmt == 'json':
        body = json.dumps(rows).encode('utf-8')
    elif fmt == 'xml':
        body = _xml(kind, name, rows,
                    _CONTAINER_FIELDS if kind == 'container' else _ACCOUNT_FIELDS)
    else:
        body = ''.join('%s\n' % (r.get('subdir') or r.get('name')) for r in rows).encode()
    status = 200 if body else 204
    resp = webob.Response(status=status, headerlist=[])
    for key, value in headers.items():
        resp.headers[key] = value
    resp.content_type = CONTENT_TYPES[fmt]
    resp.charset = 'utf-8'
    if body:
        resp.body = body
    else:
        resp.content_length = 0
    return resp
