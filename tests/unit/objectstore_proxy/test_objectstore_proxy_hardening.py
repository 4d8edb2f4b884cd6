"""In-process tests of the proxy's defences (issue 16, findings 5-8): Content-Disposition
encoding, the edge filter (undecodable requests, unsafe response headers), one-line log
messages, ACL names only in the default domain, owner-only TempURL keys."""
import logging
import urllib.parse

import pytest
import webob

from objectstore import logsafe
from objectstore.proxy import acl
from objectstore.proxy import utils
from objectstore.proxy.controllers import base as base_ctrl
from objectstore.proxy.middleware import authz
from objectstore.proxy.middleware import edge
from objectstore.proxy.middleware import tempurl


@pytest.mark.parametrize('name', ['report.pdf', 'evil\r\nSet-Cookie: a=b', 'q"uote\\s%41',
                                  'r\u00e9sum\u00e9.txt', '\u65e5\u672c.txt', '\x00\x7f\t',
                                  '\ud800lone'])
def test_content_disposition_is_printable_ascii_and_exact(name):
    value = tempurl.content_disposition('attachment', name)
    assert value.isascii() and value.isprintable()
    fallback = value.split('filename="', 1)[1].split('"', 1)[0]
    assert len(fallback) == len(name) and '"' not in fallback and '\\' not in fallback
    exact = value.split("filename*=UTF-8''", 1)[1]
    assert urllib.parse.unquote(exact, errors='replace') == \
        name.encode('utf-8', 'replace').decode('utf-8')


def _call(app, path='/', query='', headers=()):
    seen = {}

    def start_response(status, hdrs, exc_info=None):
        seen['status'], seen['headers'] = status, hdrs
    env = webob.Request.blank('/').environ
    env['PATH_INFO'], env['QUERY_STRING'] = path, query
    body = b''.join(app(env, start_response))
    return int(seen['status'].split()[0]), seen['headers'], body


def test_edge_refuses_undecodable_paths_and_queries():
    inner = edge.Edge(lambda env, start: (start('200 OK', []), [b'ok'])[1])
    assert _call(inner, '/v1/a/c')[0] == 200
    assert _call(inner, '/v1/a/\xff\xfe')[0] == 412
    assert _call(inner, '/v1/a/\xed\xa0\x80')[0] == 412  # an encoded surrogate
    assert _call(inner, '/v1/a/c\x00')[0] == 412
    assert _call(inner, '/v1/a', 'prefix=%ff')[0] == 400
    assert _call(inner, '/v1/a', 'prefix=\xff')[0] == 400
    assert _call(inner, '/v1/a', 'prefix=%C3%A9&x')[0] == 200


def test_edge_makes_every_response_header_safe(caplog):
    headers = [('X-Ok', 'plain value'), ('X-Crlf', 'a\r\nSet-Cookie: x'),
               ('X-Wide', '\u65e5'), ('X-Latin', 'caf\xe9'), ('Bad Name', 'v'),
               ('X-Tab', 'a\tb')]
    app = edge.Edge(lambda env, start: (start('200 OK', list(headers)), [b''])[1])
    with caplog.at_level(logging.WARNING):
        _status, sent, _body = _call(app, '/v1/a')
    sent = dict(sent)
    # an answer without a Content-Type gets the plain-text one Swift names
    assert sent == {'X-Ok': 'plain value', 'X-Crlf': 'a%0D%0ASet-Cookie: x',
                    'X-Wide': '%E6%97%A5', 'X-Latin': 'caf\xe9', 'X-Tab': 'a\tb',
                    'Content-Type': 'text/plain; charset=utf-8'}
    for value in sent.values():
        value.encode('latin-1')


def test_edge_drops_system_headers_clients_send():
    seen = {}

    def app(env, start):
        seen.update(env)
        start('204 No Content', [('Content-Type', 'application/json')])
        return [b'']
    req = webob.Request.blank('/v1/a/c/o', headers={
        'X-Object-Sysmeta-Symlink-Target': 'c/secret', 'X-Container-Sysmeta-X': '1',
        'X-Account-Sysmeta-Project-Domain-Id': 'd', 'X-Backend-Storage-Policy-Index': '1',
        'X-Object-Meta-Kept': 'yes'})
    resp = req.get_response(edge.Edge(app))
    assert not [k for k in seen if 'SYSMETA' in k or 'BACKEND' in k]
    assert seen['HTTP_X_OBJECT_META_KEPT'] == 'yes'
    assert resp.headers['Content-Type'] == 'application/json'


def test_log_messages_stay_one_line():
    assert logsafe.escape('GET /v1/a/c/x\r\nFORGED\x1b[31m\u2028') == \
        'GET /v1/a/c/x\\r\\nFORGED\\x1b[31m\\u2028'
    factory = logging.getLogRecordFactory()
    try:
        logsafe.install()
        record = logging.getLogger('t').makeRecord('t', logging.INFO, __file__, 1,
                                                   '"%s %s"', ('GET', '/c/a\nb'), None)
        assert record.getMessage() == '"GET /c/a\\nb"'
    finally:
        logging.setLogRecordFactory(factory)


def test_acl_names_only_where_allowed():
    ident = {'user_id': 'u1', 'user_name': 'bob', 'project_id': 'p1', 'project_name': 'proj'}
    assert acl.identity_matches('proj:bob', ident, names_allowed=True)
    assert not acl.identity_matches('proj:bob', ident)
    assert acl.identity_matches('p1:u1', ident) and acl.identity_matches('p1:*', ident)
    assert acl.identity_matches('*:u1', ident) and not acl.identity_matches('*:bob', ident)
    assert acl.account_acl_level({'read-only': ['proj:*']}, ident, True) == 'read-only'
    assert acl.account_acl_level({'read-only': ['proj:*']}, ident) is None


def _names_allowed(account, user_domain='default', project_domain='default',
                   account_domain=None):
    mw = authz.Authorize(None, 'AUTH_', default_domain_id='default')
    req = webob.Request.blank('/v1/%s' % account)
    req.environ[utils.INFOCACHE] = {'/AUTH_other': {'status': 204,
                                                    'project_domain_id': account_domain}}
    ident = {'user_id': 'u', 'project_id': 'p', 'user_domain_id': user_domain,
             'project_domain_id': project_domain}
    return mw.names_allowed(req, account, ident)


def test_names_are_allowed_only_for_the_default_domain():
    assert _names_allowed('AUTH_p')  # the caller's own account
    assert _names_allowed('AUTH_other', account_domain='default')
    assert not _names_allowed('AUTH_other', account_domain='d2')
    assert not _names_allowed('AUTH_other')  # domain unknown: ids only
    assert not _names_allowed('AUTH_p', user_domain='d2')
    assert not _names_allowed('AUTH_p', project_domain='d2')


@pytest.mark.parametrize('owner', [False, True])
def test_owner_only_meta_is_dropped_for_non_owners(owner):
    req = webob.Request.blank('/v1/AUTH_a/c', method='POST', headers={
        'X-Container-Meta-Temp-URL-Key': 'k', 'X-Container-Meta-Temp-Url-Key-2': 'k2',
        'X-Remove-Container-Meta-Temp-URL-Key': 'x', 'X-Container-Meta-Color': 'blue'})
    req.environ[utils.OWNER] = owner
    base_ctrl.Controller(None, 'AUTH_a', 'c').drop_owner_only_meta(req, 'container')
    kept = {k.lower() for k in req.headers}
    assert 'x-container-meta-color' in kept
    keys = {'x-container-meta-temp-url-key', 'x-container-meta-temp-url-key-2',
            'x-remove-container-meta-temp-url-key'}
    assert (keys <= kept) if owner else not (keys & kept)
