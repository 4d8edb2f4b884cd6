"""Account and container listings in text, JSON or XML."""
import json
import urllib.parse
from xml.sax import saxutils

import webob

CONTENT_TYPES = {'json': 'application/json', 'xml': 'application/xml',
                 'plain': 'text/plain'}
_CONTAINER_FIELDS = ('name', 'hash', 'bytes', 'content_type', 'last_modified',
                     'symlink_path')
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


def container_rows(account, rows):
    """Listing rows as clients see them: what the storage records of a symlink in its
    row's content type (``swift_*`` parameters) becomes ``symlink_path``."""
    for row in rows:
        ctype = row.get('content_type')
        if not ctype or ';swift_' not in ctype:
            continue
        kept, params = [], {}
        for part in ctype.split(';'):
            name, sep, value = part.strip().partition('=')
            if sep and name.lower().startswith('swift_'):
                params[name.lower()] = value
            else:
                kept.append(part)
        row['content_type'] = ';'.join(kept).strip()
        target = params.get('swift_symlink_target')
        if target:
            target_account = urllib.parse.unquote(
                params.get('swift_symlink_target_account') or '') or account
            row['symlink_path'] = '/v1/%s/%s' % (urllib.parse.quote(target_account), target)
    return rows


def set_content_type(resp, fmt):
    """The Content-Type a listing in ``fmt`` has (also on HEAD and empty answers)."""
    resp.content_type = CONTENT_TYPES[fmt]
    resp.charset = 'utf-8'


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
    set_content_type(resp, fmt)
    if body:
        resp.body = body
    else:
        resp.content_length = 0
    return resp
