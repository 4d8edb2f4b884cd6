"""Negative tests of the object store proxy, as an attacker with an account would try them
(real proxy and storage servers): escalation through shared access, header injection,
malformed names, queries and tokens, and forged log lines.  No answer may be a 500.

Regression tests of issue 16: findings 5 (TempURL keys are owner-only), 6 (ACL names
match only in the default domain), 7 (TempURL filename cannot add headers), 8 (no 500s
for non-UTF-8 names and queries or CR/LF in X-Versions-Location; CR/LF from names is
escaped in the log).
"""
import base64
import datetime
import hashlib
import hmac
import http.client
import json
import time
import urllib.parse
import uuid

import boto3
import botocore.auth
import botocore.config
import botocore.exceptions
import pytest
import requests

pytestmark = pytest.mark.timeout(300)


def call(proxy, user, method, path, owner=None, **kw):
    """``method`` on ``owner``'s account (default: the user's own) as ``user`` (None:
    anonymous)."""
    headers = kw.pop('headers', {})
    if user is not None:
        headers.setdefault('X-Auth-Token', user.token)
    url = proxy.storage_url(owner or user) + path
    return requests.request(method, url, headers=headers, timeout=60, **kw)


def raw(proxy, method, path, headers=None):
    """(status, [(header, value)], body) of a request sent byte for byte (no client-side
    quoting or header checks)."""
    conn = http.client.HTTPConnection('127.0.0.1', proxy.port, timeout=60)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def tempurl(key, method, path, expires=None):
    expires = expires or int(time.time()) + 300
    sig = hmac.new(key.encode(), ('%s\n%d\n%s' % (method, expires, path)).encode(),
                   hashlib.sha256).hexdigest()
    return {'temp_url_sig': sig, 'temp_url_expires': str(expires)}


def share_account(proxy, owner, user, level):
    acl = json.dumps({level: ['%s:%s' % (user.project_id, user.user_id)]})
    resp = call(proxy, owner, 'POST', '', headers={'X-Account-Access-Control': acl})
    assert resp.status_code == 204, resp.text


KEY_HEADERS = ('X-Container-Meta-Temp-Url-Key', 'X-Container-Meta-Temp-Url-Key-2',
               'X-Account-Meta-Temp-Url-Key', 'X-Account-Meta-Temp-Url-Key-2')


# -- finding 5: TempURL keys ----------------------------------------------------------------
def test_shared_user_cannot_set_tempurl_keys(proxy, alice, bob):
    share_account(proxy, alice, bob, 'read-write')
    assert call(proxy, alice, 'PUT', '/shared').status_code == 201
    assert call(proxy, alice, 'PUT', '/shared/doc', data=b'private').status_code == 201
    # bob may write into alice's account, so his POST succeeds, but the keys are ignored
    # as Swift ignores owner-only headers from non-owners
    resp = call(proxy, bob, 'POST', '/shared', owner=alice, headers={
        'X-Container-Meta-Temp-URL-Key': 'bobs-key', 'X-Container-Meta-Temp-URL-Key-2': 'k2',
        'X-Container-Meta-Color': 'blue'})
    assert resp.status_code == 204
    resp = call(proxy, bob, 'PUT', '/bobs', owner=alice,
                headers={'X-Container-Meta-Temp-URL-Key': 'bobs-key'})
    assert resp.status_code == 201
    assert call(proxy, bob, 'PUT', '/bobs/doc', owner=alice, data=b'x').status_code == 201
    for container in ('/shared', '/bobs'):
        head = call(proxy, alice, 'HEAD', container)
        assert 'X-Container-Meta-Temp-Url-Key' not in head.headers, container
        assert 'X-Container-Meta-Temp-Url-Key-2' not in head.headers, container
    assert call(proxy, alice, 'HEAD', '/shared').headers['X-Container-Meta-Color'] == 'blue'
    # nothing signed with bob's key opens alice's objects, during or after the share
    for path in ('/v1/%s/shared/doc' % alice.account, '/v1/%s/bobs/doc' % alice.account):
        resp = requests.get(proxy.url + path, params=tempurl('bobs-key', 'GET', path),
                            timeout=10)
        assert resp.status_code == 401, path
    # an account key is the owner's too
    resp = call(proxy, bob, 'POST', '', owner=alice,
                headers={'X-Account-Meta-Temp-URL-Key': 'bobs-key'})
    assert resp.status_code == 403
    assert 'X-Account-Meta-Temp-Url-Key' not in call(proxy, alice, 'HEAD', '').headers


def test_tempurl_keys_are_hidden_from_and_kept_against_non_owners(proxy, alice, bob):
    share_account(proxy, alice, bob, 'read-write')
    assert call(proxy, alice, 'PUT', '/keyed', headers={
        'X-Container-Meta-Temp-URL-Key': 'ckey'}).status_code == 201
    assert call(proxy, alice, 'POST', '', headers={
        'X-Account-Meta-Temp-URL-Key': 'akey'}).status_code == 204
    assert call(proxy, alice, 'HEAD', '/keyed').headers['X-Container-Meta-Temp-Url-Key'] == \
        'ckey'
    for level in ('read-write', 'read-only'):
        share_account(proxy, alice, bob, level)
        for path in ('', '/keyed'):
            for method in ('HEAD', 'GET'):
                resp = call(proxy, bob, method, path, owner=alice)
                assert resp.status_code in (200, 204), (level, method, path, resp.status_code)
                leaked = [h for h in KEY_HEADERS if h in resp.headers]
                assert not leaked, (level, method, path, leaked)
    share_account(proxy, alice, bob, 'read-write')
    resp = call(proxy, bob, 'POST', '/keyed', owner=alice,
                headers={'X-Remove-Container-Meta-Temp-URL-Key': 'x'})
    assert resp.status_code == 204
    assert call(proxy, alice, 'HEAD', '/keyed').headers['X-Container-Meta-Temp-Url-Key'] == \
        'ckey'


# -- finding 6: names in ACLs ---------------------------------------------------------------
def test_acl_names_match_only_in_the_default_domain(proxy, alice):
    name = 'reader-%s' % uuid.uuid4().hex[:8]
    reader = proxy.user(name)
    twin = proxy.user(name, domain_id='elsewhere')  # same user and project names
    assert call(proxy, alice, 'PUT', '/named').status_code == 201
    assert call(proxy, alice, 'PUT', '/named/doc', data=b'for the reader').status_code == 201
    resp = call(proxy, alice, 'POST', '/named',
                headers={'X-Container-Read': 'p-%s:%s' % (name, name)})
    assert resp.status_code == 204
    assert call(proxy, reader, 'GET', '/named/doc', owner=alice).content == b'for the reader'
    assert call(proxy, twin, 'GET', '/named/doc', owner=alice).status_code == 403
    # ids still identify a user of any domain
    resp = call(proxy, alice, 'POST', '/named',
                headers={'X-Container-Read': '%s:%s' % (twin.project_id, twin.user_id)})
    assert resp.status_code == 204
    assert call(proxy, twin, 'GET', '/named/doc', owner=alice).status_code == 200

    # an account of another domain's project: its names mean nothing in the default one
    owner = proxy.user('owner-%s' % uuid.uuid4().hex[:8], domain_id='elsewhere')
    assert call(proxy, owner, 'PUT', '/theirs').status_code == 201
    assert call(proxy, owner, 'PUT', '/theirs/doc', data=b'theirs').status_code == 201
    resp = call(proxy, owner, 'POST', '/theirs',
                headers={'X-Container-Read': 'p-%s:%s' % (name, name)})
    assert resp.status_code == 204
    assert call(proxy, reader, 'GET', '/theirs/doc', owner=owner).status_code == 403
    assert call(proxy, twin, 'GET', '/theirs/doc', owner=owner).status_code == 403
    # the domain is system metadata: never shown to the client
    head = call(proxy, owner, 'HEAD', '')
    assert not [h for h in head.headers if 'sysmeta' in h.lower()]


def test_account_acl_names_match_only_in_the_default_domain(proxy, alice):
    name = 'acct-%s' % uuid.uuid4().hex[:8]
    reader = proxy.user(name)
    twin = proxy.user(name, domain_id='elsewhere')
    assert call(proxy, alice, 'PUT', '/acct-named').status_code == 201
    acl = json.dumps({'read-only': ['p-%s:%s' % (name, name)]})
    assert call(proxy, alice, 'POST', '',
                headers={'X-Account-Access-Control': acl}).status_code == 204
    assert call(proxy, reader, 'GET', '/acct-named', owner=alice).status_code in (200, 204)
    assert call(proxy, twin, 'GET', '/acct-named', owner=alice).status_code == 403


# -- finding 7: TempURL Content-Disposition -------------------------------------------------
INJECTIONS = ['evil\r\nSet-Cookie: session=stolen', 'evil\nX-Injected: yes',
              'q"; filename="other.exe', 'r\u00e9sum\u00e9 \u20ac.pdf', '\u65e5\u672c\u8a9e.txt',
              'tab\there', 'nul\x00byte']


@pytest.mark.parametrize('inline', [False, True])
def test_tempurl_filename_cannot_add_or_break_headers(proxy, alice, inline):
    call(proxy, alice, 'POST', '', headers={'X-Account-Meta-Temp-URL-Key': 'fkey'})
    call(proxy, alice, 'PUT', '/dl')
    assert call(proxy, alice, 'PUT', '/dl/file', data=b'payload').status_code == 201
    path = '/v1/%s/dl/file' % alice.account
    for filename in INJECTIONS:
        query = dict(tempurl('fkey', 'GET', path), filename=filename)
        if inline:
            query['inline'] = ''
        status, headers, body = raw(proxy, 'GET', path + '?' + urllib.parse.urlencode(query))
        names = [k.lower() for k, _v in headers]
        assert status == 200 and body == b'payload', (filename, status)
        assert 'set-cookie' not in names and 'x-injected' not in names, filename
        disposition = dict((k.lower(), v) for k, v in headers)['content-disposition']
        assert disposition.isascii() and disposition.isprintable(), disposition
        assert disposition.startswith('inline' if inline else 'attachment')
        exact = urllib.parse.quote(filename, safe='')
        assert disposition.endswith("filename*=UTF-8''%s" % exact), disposition
        assert disposition.count('"') == 2, disposition


def test_tempurl_object_name_with_crlf_cannot_add_headers(proxy, alice):
    call(proxy, alice, 'POST', '', headers={'X-Account-Meta-Temp-URL-Key': 'nkey'})
    call(proxy, alice, 'PUT', '/dl2')
    quoted = 'a%0D%0ASet-Cookie:%20x=y'
    assert call(proxy, alice, 'PUT', '/dl2/' + quoted, data=b'crlf').status_code == 201
    path = '/v1/%s/dl2/%s' % (alice.account, urllib.parse.unquote(quoted))
    status, headers, body = raw(proxy, 'GET', '/v1/%s/dl2/%s?%s' % (
        alice.account, quoted, urllib.parse.urlencode(tempurl('nkey', 'GET', path))))
    assert (status, body) == (200, b'crlf')
    assert 'set-cookie' not in [k.lower() for k, _v in headers]


# -- finding 8: malformed names, queries and headers -----------------------------------------
BAD_PATHS = ['/%ff%fe', '/c%ff', '/ok/%ff%fe', '/ok/o%c3', '/%ed%a0%80/x']
BAD_QUERIES = ['prefix=%ff', 'format=%ff%fe', 'marker=%c3', 'multipart-manifest=%ff',
               'temp_url_sig=%ff&temp_url_expires=%ff', 'temp_url_sig=ab&temp_url_expires=9',
               'X-Amz-Algorithm=%ff', 'AWSAccessKeyId=%ff&Signature=%fe', 'filename=%ff',
               'limit=%ff', 'uploads&%ff=%fe', 'symlink=%ff', '%ff']


@pytest.mark.parametrize('method', ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'])
def test_names_that_are_not_utf8_answer_412(proxy, alice, method):
    call(proxy, alice, 'PUT', '/ok')
    for path in BAD_PATHS:
        for token in (alice.token, None):
            headers = {'X-Auth-Token': token} if token else {}
            if method in ('PUT', 'POST'):
                headers['Content-Length'] = '0'
            status, _h, _b = raw(proxy, method, '/v1/%s%s' % (alice.account, path), headers)
            assert status == 412, (method, path, bool(token), status)


@pytest.mark.parametrize('where', ['', '/ok', '/ok/obj'])
def test_queries_that_are_not_utf8_never_fail_the_server(proxy, alice, where):
    call(proxy, alice, 'PUT', '/ok')
    call(proxy, alice, 'PUT', '/ok/obj', data=b'x')
    for query in BAD_QUERIES:
        for method in ('GET', 'HEAD', 'PUT', 'POST', 'DELETE'):
            headers = {'X-Auth-Token': alice.token, 'Content-Length': '0'}
            status, _h, _b = raw(proxy, method, '/v1/%s%s?%s' % (alice.account, where, query),
                                 headers)
            assert status < 500, (method, where, query, status)


def test_versions_location_with_crlf_or_bad_utf8_is_refused(proxy, alice):
    call(proxy, alice, 'PUT', '/versioned')
    for value, expected in (('vers%0D%0AX-Injected:%20yes', 400), ('vers%0Aion', 400),
                            ('vers%00ion', 400), ('vers%ffion', 412)):
        for method in ('POST', 'PUT'):
            resp = call(proxy, alice, method, '/versioned',
                        headers={'X-Versions-Location': value})
            assert resp.status_code == expected, (value, method, resp.status_code)
    head = call(proxy, alice, 'HEAD', '/versioned')
    assert 'X-Versions-Location' not in head.headers and 'X-Injected' not in head.headers
    # a name beyond ASCII is kept (URL-encoded) and versioning works with it
    name = 'v\u00e9rsions-\u65e5'
    assert call(proxy, alice, 'PUT', '/' + urllib.parse.quote(name)).status_code == 201
    resp = call(proxy, alice, 'POST', '/versioned',
                headers={'X-Versions-Location': urllib.parse.quote(name)})
    assert resp.status_code == 204
    assert call(proxy, alice, 'PUT', '/versioned/o', data=b'one').status_code == 201
    assert call(proxy, alice, 'PUT', '/versioned/o', data=b'two').status_code == 201
    listing = call(proxy, alice, 'GET', '/' + urllib.parse.quote(name),
                   params={'format': 'json'}).json()
    assert len(listing) == 1
    assert call(proxy, alice, 'DELETE', '/versioned/o').status_code == 204
    assert call(proxy, alice, 'GET', '/versioned/o').content == b'one'


def test_crlf_in_names_does_not_forge_log_lines(proxy, alice):
    marker = 'FORGED%s' % uuid.uuid4().hex[:8]
    for path in ('/ok/x%0D%0A' + marker + '%20line', '/%0A' + marker + '/o',
                 '/ok/%1b[31m' + marker):
        raw(proxy, 'GET', '/v1/%s%s' % (alice.account, path), {'X-Auth-Token': alice.token})
    def log():
        with open(proxy.log_path, encoding='utf-8', errors='replace') as handle:
            return handle.read()
    deadline = time.monotonic() + 5
    while marker not in log() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = log()
    assert marker in log  # the requests were logged ...
    for line in log.splitlines():  # ... but never as a line of their own
        assert not line.startswith(marker) and not line.startswith('[31m'), line
        assert '\x1b' not in line


# -- replay ------------------------------------------------------------------------------------
def test_replayed_expired_or_resigned_requests_are_refused(proxy, alice, monkeypatch):
    s3 = boto3.client('s3', endpoint_url=proxy.url, aws_access_key_id=alice.access,
                      aws_secret_access_key=alice.secret, region_name='us-east-1',
                      config=botocore.config.Config(s3={'addressing_style': 'path'},
                                                    signature_version='s3v4',
                                                    retries={'max_attempts': 1}))
    s3.create_bucket(Bucket='replay')
    s3.put_object(Bucket='replay', Key='k', Body=b'v')
    then = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - \
        datetime.timedelta(minutes=20)
    with monkeypatch.context() as patch:  # the client's clock 20 minutes behind
        patch.setattr(botocore.auth, 'get_current_datetime', lambda *a, **k: then)
        with pytest.raises(botocore.exceptions.ClientError) as err:
            s3.get_object(Bucket='replay', Key='k')
        assert err.value.response['Error']['Code'] == 'RequestTimeTooSkewed'
        stale = s3.generate_presigned_url('get_object', ExpiresIn=600,
                                          Params={'Bucket': 'replay', 'Key': 'k'})
    resp = requests.get(stale, timeout=30)
    assert resp.status_code == 403 and b'AccessDenied' in resp.content
    # a TempURL past its expiry, or used for another method or object, opens nothing
    call(proxy, alice, 'POST', '', headers={'X-Account-Meta-Temp-URL-Key': 'rkey'})
    path = '/v1/%s/replay/k' % alice.account
    expired = tempurl('rkey', 'GET', path, expires=int(time.time()) - 1)
    assert requests.get(proxy.url + path, params=expired, timeout=10).status_code == 401
    good = tempurl('rkey', 'GET', path)
    assert requests.get(proxy.url + path, params=good, timeout=10).content == b'v'
    assert requests.delete(proxy.url + path, params=good, timeout=10).status_code == 401
    other = '/v1/%s/replay/other' % alice.account
    assert requests.put(proxy.url + other, params=good, data=b'x',
                        timeout=10).status_code == 401


# -- malformed tokens -------------------------------------------------------------------------
def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def malformed_tokens(valid):
    head, payload, sig = valid.split('.')
    kid = json.loads(base64.urlsafe_b64decode(head + '=='))['kid']
    forged = []
    for header in ({'alg': 'EdDSA', 'kid': [kid]}, {'alg': 'EdDSA', 'kid': {'a': kid}},
                   {'alg': 'EdDSA', 'kid': 7}, {'alg': 'EdDSA'}, {'alg': ['EdDSA'], 'kid': kid},
                   ['EdDSA'], 'EdDSA'):
        forged.append('%s.%s.%s' % (_b64(json.dumps(header).encode()), payload, sig))
    forged += [
        valid + '==', valid + '=', head + '.' + payload + '==.' + sig, valid + '.',
        '%s.%s.%s' % (head, payload + '\u00e9', sig), '%s.%s.%s' % (head, '\u00e9', sig),
        '%s.%s.%s' % (head, _b64(b'\xff\xfe{'), sig), '%s.%s.%s' % (head, _b64(b'[' * 3000), sig),
        '%s.%s.%s' % (_b64(b'[' * 3000), payload, sig), '%s.%s.%s' % (head, payload, sig[:-2]),
        '%s.%s.%s' % (head, payload, sig + 'A'), '%s.%s.%s' % (head, ' ' + payload, sig),
        '%s.%s.%s' % (head, payload, sig[:-1] + ('B' if sig[-1] == 'A' else 'A')),
        '..', 'a.b.c', '\u00e9.\u00e9.\u00e9', valid.replace('.', '..', 1)]
    return forged


def test_malformed_tokens_are_401_never_500(proxy, alice):
    call(proxy, alice, 'PUT', '/tok')
    assert call(proxy, alice, 'HEAD', '/tok').status_code == 204
    for token in malformed_tokens(alice.token):
        status, _h, _b = raw(proxy, 'HEAD', '/v1/%s/tok' % alice.account,
                             {'X-Auth-Token': token.encode('utf-8')})
        assert status == 401, (token[:80], status)


# -- escalation through shared access -----------------------------------------------------------
def test_shared_users_cannot_widen_their_own_access(proxy, alice, bob):
    carol = proxy.user('carol')
    assert call(proxy, alice, 'PUT', '/esc').status_code == 201
    assert call(proxy, alice, 'PUT', '/esc/doc', data=b'x').status_code == 201
    share_account(proxy, alice, bob, 'read-write')
    widen_account = json.dumps({'admin': ['%s:*' % bob.project_id]})
    attempts = [
        ('POST', '', {'X-Account-Access-Control': widen_account}),
        ('POST', '/esc', {'X-Container-Read': '.r:*'}),
        ('POST', '/esc', {'X-Container-Write': '%s:*' % carol.project_id}),
        ('PUT', '/esc2', {'X-Container-Read': '.r:*,.rlistings'}),
        ('POST', '/esc', {'X-Remove-Container-Read': 'x'}),
    ]
    for method, path, headers in attempts:
        resp = call(proxy, bob, method, path, owner=alice, headers=headers)
        assert resp.status_code == 403, (method, path, headers, resp.status_code)
    assert call(proxy, None, 'GET', '/esc/doc', owner=alice).status_code == 401
    assert call(proxy, carol, 'PUT', '/esc/new', owner=alice, data=b'x').status_code == 403
    # a container write ACL is not a say over the container
    resp = call(proxy, alice, 'POST', '/esc',
                headers={'X-Container-Write': '%s:*' % carol.project_id})
    assert resp.status_code == 204
    for method, headers in (('POST', {'X-Container-Read': '.r:*'}),
                            ('POST', {'X-Container-Meta-Temp-URL-Key': 'carols'}),
                            ('DELETE', {}), ('PUT', {})):
        resp = call(proxy, carol, method, '/esc', owner=alice, headers=headers)
        assert resp.status_code == 403, (method, headers, resp.status_code)
    # read-only shares read only
    share_account(proxy, alice, bob, 'read-only')
    for method, path in (('PUT', '/esc/new'), ('DELETE', '/esc/doc'), ('POST', '/esc'),
                         ('PUT', '/esc3')):
        resp = call(proxy, bob, method, path, owner=alice, data=b'')
        assert resp.status_code == 403, (method, path, resp.status_code)
