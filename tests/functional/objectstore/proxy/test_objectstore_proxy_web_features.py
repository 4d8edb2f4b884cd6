"""Form uploads, static websites, symlinks, /crossdomain.xml and container sync through
the real proxy and storage servers, and what each of them must not let anyone do."""
import hashlib
import hmac
import time
import uuid

import pytest
import requests

pytestmark = pytest.mark.timeout(300)


def call(proxy, user, method, path='', **kw):
    headers = kw.pop('headers', {})
    headers.setdefault('X-Auth-Token', user.token)
    return requests.request(method, proxy.storage_url(user) + path, headers=headers,
                            timeout=60, allow_redirects=False, **kw)


def anon(proxy, user, method, path='', **kw):
    return requests.request(method, proxy.storage_url(user) + path, timeout=60,
                            allow_redirects=False, **kw)


def share_account(proxy, owner, user):
    """Give ``user`` read-write access to ``owner``'s account (not ownership)."""
    acl = '{"read-write": ["%s:%s"]}' % (user.project_id, user.user_id)
    assert call(proxy, owner, 'POST', headers={
        'X-Account-Access-Control': acl}).status_code == 204


# -- form uploads --------------------------------------------------------------------
def form(path, key, files, redirect='', max_file_size=1024, max_file_count=10,
         expires=None, digest=hashlib.sha1, extra=None, sign_path=None):
    expires = int(time.time() + 600) if expires is None else expires
    signed = '%s\n%s\n%s\n%s\n%s' % (sign_path or path, redirect, max_file_size,
                                     max_file_count, expires)
    fields = {'redirect': redirect, 'max_file_size': str(max_file_size),
              'max_file_count': str(max_file_count), 'expires': str(expires),
              'signature': hmac.new(key.encode(), signed.encode(), digest).hexdigest()}
    fields.update(extra or {})
    boundary = 'b' + uuid.uuid4().hex
    lines = []
    for name, value in fields.items():
        lines += ['--' + boundary, 'Content-Disposition: form-data; name="%s"' % name, '',
                  value]
    body = '\r\n'.join(lines).encode() + b'\r\n'
    for index, (filename, data, ctype) in enumerate(files):
        body += ('--%s\r\nContent-Disposition: form-data; name="file%d"; filename="%s"\r\n'
                 'Content-Type: %s\r\n\r\n' % (boundary, index, filename, ctype)).encode()
        body += data + b'\r\n'
    body += ('--%s--\r\n' % boundary).encode()
    return body, {'Content-Type': 'multipart/form-data; boundary=%s' % boundary}


@pytest.fixture
def upload_box(proxy, alice):
    key = 'form-key-' + uuid.uuid4().hex
    call(proxy, alice, 'POST', headers={'X-Account-Meta-Temp-URL-Key': key})
    call(proxy, alice, 'PUT', '/box')
    return key, '/v1/%s/box/up/' % alice.account


def test_form_upload_stores_each_file_under_the_signed_prefix(proxy, alice, upload_box):
    key, path = upload_box
    body, headers = form(path, key, [('a.txt', b'hello world', 'text/plain'),
                                     ('b.bin', b'\x00\x01', 'application/octet-stream')])
    r = requests.post(proxy.url + path, data=body, headers=headers, timeout=30)
    assert r.status_code == 201 and r.text.startswith('201 Created'), r.text
    got = call(proxy, alice, 'GET', '/box/up/a.txt')
    assert got.content == b'hello world' and got.headers['Content-Type'] == 'text/plain'
    assert call(proxy, alice, 'GET', '/box/up/b.bin').content == b'\x00\x01'
    # a container key signs too, and SHA256 signatures are accepted
    call(proxy, alice, 'POST', '/box', headers={'X-Container-Meta-Temp-URL-Key': 'ckey'})
    body, headers = form(path, 'ckey', [('c.txt', b'c', 'text/plain')],
                         digest=hashlib.sha256)
    assert requests.post(proxy.url + path, data=body, headers=headers,
                         timeout=30).status_code == 201
    # a redirect gets the status and message appended
    body, headers = form(path, key, [('d.txt', b'd', 'text/plain')],
                         redirect='https://app.example.com/done?x=1')
    r = requests.post(proxy.url + path, data=body, headers=headers, timeout=30,
                      allow_redirects=False)
    assert r.status_code == 303
    assert r.headers['Location'] == 'https://app.example.com/done?x=1&status=201&message='


def test_form_refused_when_expired_or_badly_signed(proxy, alice, upload_box):
    key, path = upload_box
    body, headers = form(path, key, [('late.txt', b'x', 'text/plain')],
                         expires=int(time.time()) - 1)
    r = requests.post(proxy.url + path, data=body, headers=headers, timeout=30)
    assert r.status_code == 401 and 'FormPost: Form Expired' in r.text
    body, headers = form(path, 'not-the-key', [('bad.txt', b'x', 'text/plain')])
    r = requests.post(proxy.url + path, data=body, headers=headers, timeout=30)
    assert r.status_code == 401 and 'FormPost: Invalid Signature' in r.text
    # a signature for one prefix does not upload elsewhere
    other = '/v1/%s/box/elsewhere/' % alice.account
    body, headers = form(other, key, [('moved.txt', b'x', 'text/plain')], sign_path=path)
    assert requests.post(proxy.url + other, data=body, headers=headers,
                         timeout=30).status_code == 401
    for name in ('late.txt', 'bad.txt'):
        assert call(proxy, alice, 'HEAD', '/box/up/' + name).status_code == 404
    assert call(proxy, alice, 'HEAD', '/box/elsewhere/moved.txt').status_code == 404


def test_form_limits_size_and_count(proxy, alice, upload_box):
    key, path = upload_box
    body, headers = form(path, key, [('big.bin', b'x' * 2000, 'application/octet-stream')],
                         max_file_size=1000)
    r = requests.post(proxy.url + path, data=body, headers=headers, timeout=30)
    assert r.status_code == 400 and 'max_file_size exceeded' in r.text
    assert call(proxy, alice, 'HEAD', '/box/up/big.bin').status_code == 404
    body, headers = form(path, key, [('one', b'1', 'text/plain'), ('two', b'2', 'text/plain')],
                         max_file_count=1)
    r = requests.post(proxy.url + path, data=body, headers=headers, timeout=30)
    assert r.status_code == 400 and 'max file count exceeded' in r.text.lower()
    assert call(proxy, alice, 'GET', '/box/up/one').content == b'1'
    assert call(proxy, alice, 'HEAD', '/box/up/two').status_code == 404
    r = requests.post(proxy.url + path, data=b'--x\r\nnot a form', timeout=30,
                      headers={'Content-Type': 'multipart/form-data; boundary=zzz'})
    assert r.status_code == 400
    body, headers = form(path, key, [('exp.txt', b'e', 'text/plain')],
                         extra={'x_delete_after': 'soon'})
    assert requests.post(proxy.url + path, data=body, headers=headers,
                         timeout=30).status_code == 400


def test_only_the_owner_sets_the_keys_a_form_is_signed_with(proxy, alice, bob):
    # bob may change alice's containers, but a key he set would sign forms for ever
    share_account(proxy, alice, bob)
    call(proxy, alice, 'PUT', '/shared')
    r = requests.post(proxy.storage_url(alice) + '/shared', timeout=10, headers={
        'X-Auth-Token': bob.token, 'X-Container-Meta-Temp-URL-Key': 'bobs'})
    assert r.status_code == 204
    path = '/v1/%s/shared/' % alice.account
    body, headers = form(path, 'bobs', [('sneaky', b'x', 'text/plain')])
    assert requests.post(proxy.url + path, data=body, headers=headers,
                         timeout=30).status_code == 401


# -- static websites -------------------------------------------------------------------
@pytest.fixture
def site(proxy, alice):
    name = 'site' + uuid.uuid4().hex[:8]
    call(proxy, alice, 'PUT', '/' + name, headers={'X-Container-Read': '.r:*,.rlistings'})
    for obj, body in (('index.html', b'<p>home</p>'), ('docs/index.html', b'<p>docs</p>'),
                      ('docs/a.txt', b'a'), ('404error.html', b'<p>missing</p>'),
                      ('files/<b>&x.txt', b'x')):
        call(proxy, alice, 'PUT', '/%s/%s' % (name, obj), data=body,
             headers={'Content-Type': 'text/html'})
    return name


def test_static_site_index_listing_and_error_page(proxy, alice, site):
    call(proxy, alice, 'POST', '/' + site, headers={
        'X-Container-Meta-Web-Index': 'index.html', 'X-Container-Meta-Web-Error': 'error.html',
        'X-Container-Meta-Web-Listings': 'true',
        'X-Container-Meta-Web-Listings-CSS': 'style.css'})
    r = anon(proxy, alice, 'GET', '/' + site)
    assert r.status_code == 301
    assert r.headers['Location'] == '%s/v1/%s/%s/' % (proxy.url, alice.account, site)
    # the API's own address, whatever Host the client sent
    r = anon(proxy, alice, 'GET', '/' + site, headers={'Host': 'evil.example.com'})
    assert r.headers['Location'].startswith(proxy.url + '/')
    assert anon(proxy, alice, 'GET', '/%s/' % site).content == b'<p>home</p>'
    assert anon(proxy, alice, 'GET', '/%s/docs/' % site).content == b'<p>docs</p>'
    r = anon(proxy, alice, 'GET', '/%s/docs' % site)
    assert r.status_code == 301 and r.headers['Location'].endswith('/%s/docs/' % site)
    listing = anon(proxy, alice, 'GET', '/%s/files/' % site)
    assert listing.status_code == 200 and listing.headers['Content-Type'].startswith(
        'text/html')
    # names are escaped in the page and its links
    assert '&lt;b&gt;&amp;x.txt' in listing.text and '<b>' not in listing.text
    assert 'href="%3Cb%3E%26x.txt"' in listing.text
    assert 'href="../style.css"' in listing.text
    missing = anon(proxy, alice, 'GET', '/%s/nothing-here' % site)
    assert missing.status_code == 404 and missing.content == b'<p>missing</p>'
    # the owner's API client still sees the API
    api = call(proxy, alice, 'GET', '/' + site)
    assert api.status_code == 200 and 'index.html' in api.text.split()
    web = call(proxy, alice, 'GET', '/%s/' % site, headers={'X-Web-Mode': 'true'})
    assert web.content == b'<p>home</p>'


def test_static_site_only_for_what_the_caller_may_read(proxy, alice, bob, site):
    call(proxy, alice, 'POST', '/' + site, headers={
        'X-Container-Meta-Web-Listings': 'true', 'X-Container-Meta-Web-Index': 'none.html'})
    # public objects but no public listing: no listing page either
    call(proxy, alice, 'POST', '/' + site, headers={'X-Container-Read': '.r:*'})
    r = anon(proxy, alice, 'GET', '/%s/files/' % site)
    assert r.status_code in (401, 403) and '&amp;x.txt' not in r.text
    # a private container is never a site, whatever its metadata says
    call(proxy, alice, 'POST', '/' + site, headers={'X-Remove-Container-Read': 'x'})
    for path in ('/%s/' % site, '/%s/docs/' % site, '/' + site):
        assert anon(proxy, alice, 'GET', path).status_code == 401, path
    r = requests.get(proxy.storage_url(alice) + '/%s/docs/' % site, timeout=10,
                     headers={'X-Auth-Token': bob.token, 'X-Web-Mode': 'true'})
    assert r.status_code == 403
    # a TempURL for one object does not open a view of the container
    key = 'site-key-' + uuid.uuid4().hex
    call(proxy, alice, 'POST', headers={'X-Account-Meta-Temp-URL-Key': key})
    path = '/v1/%s/%s/nothing/' % (alice.account, site)
    expires = int(time.time() + 60)
    sig = hmac.new(key.encode(), ('GET\n%d\n%s' % (expires, path)).encode(),
                   hashlib.sha256).hexdigest()
    r = requests.get(proxy.url + path, params={'temp_url_sig': sig,
                                               'temp_url_expires': expires}, timeout=10)
    assert r.status_code == 404 and 'docs' not in r.text


# -- symlinks --------------------------------------------------------------------------
def test_symlink_follows_to_its_target(proxy, alice):
    call(proxy, alice, 'PUT', '/links')
    call(proxy, alice, 'PUT', '/targets')
    call(proxy, alice, 'PUT', '/targets/file.txt', data=b'target body',
         headers={'X-Object-Meta-Colour': 'blue'})
    r = call(proxy, alice, 'PUT', '/links/link', data=b'', headers={
        'X-Symlink-Target': 'targets/file.txt', 'Content-Type': 'application/symlink'})
    assert r.status_code == 201, r.text
    got = call(proxy, alice, 'GET', '/links/link')
    assert got.content == b'target body'
    assert got.headers['Content-Location'] == '/v1/%s/targets/file.txt' % alice.account
    assert got.headers['X-Object-Meta-Colour'] == 'blue'
    assert call(proxy, alice, 'GET', '/links/link', headers={
        'Range': 'bytes=0-5'}).content == b'target'
    link = call(proxy, alice, 'HEAD', '/links/link?symlink=get')
    assert link.headers['X-Symlink-Target'] == 'targets/file.txt'
    assert not any(k.lower().startswith('x-object-sysmeta') for k in link.headers)
    rows = call(proxy, alice, 'GET', '/links?format=json').json()
    assert rows[0]['symlink_path'] == '/v1/%s/targets/file.txt' % alice.account
    assert rows[0]['content_type'] == 'application/symlink'
    # a link to a link is followed; a loop is refused
    call(proxy, alice, 'PUT', '/links/link2', data=b'',
         headers={'X-Symlink-Target': 'links/link'})
    assert call(proxy, alice, 'GET', '/links/link2').content == b'target body'
    call(proxy, alice, 'PUT', '/links/loop', data=b'', headers={'X-Symlink-Target': 'links/loop'})
    assert call(proxy, alice, 'GET', '/links/loop').status_code == 409
    # broken and dangling links answer 404
    call(proxy, alice, 'DELETE', '/targets/file.txt')
    assert call(proxy, alice, 'GET', '/links/link').status_code == 404


def test_symlink_checks_its_input(proxy, alice):
    call(proxy, alice, 'PUT', '/badlinks')
    assert call(proxy, alice, 'PUT', '/badlinks/l', data=b'body', headers={
        'X-Symlink-Target': 'c/o'}).status_code == 400
    assert call(proxy, alice, 'PUT', '/badlinks/l', data=b'', headers={
        'X-Symlink-Target': 'no-object'}).status_code == 412
    assert call(proxy, alice, 'POST', '/badlinks/l', headers={
        'X-Symlink-Target': 'c/o'}).status_code == 400
    call(proxy, alice, 'PUT', '/badlinks/t', data=b't')
    assert call(proxy, alice, 'PUT', '/badlinks/static', data=b'', headers={
        'X-Symlink-Target': 'badlinks/t', 'X-Symlink-Target-Etag': 'f' * 32}).status_code == 409
    assert call(proxy, alice, 'PUT', '/badlinks/static', data=b'', headers={
        'X-Symlink-Target': 'badlinks/t',
        'X-Symlink-Target-Etag': hashlib.md5(b't').hexdigest()}).status_code == 201
    call(proxy, alice, 'PUT', '/badlinks/t', data=b'changed')
    assert call(proxy, alice, 'GET', '/badlinks/static').status_code == 409
    # a client cannot write system metadata, nor forge a listed symlink path
    call(proxy, alice, 'PUT', '/badlinks/plain', data=b'p', headers={
        'X-Object-Sysmeta-Symlink-Target': 'badlinks/t',
        'Content-Type': 'text/plain;swift_symlink_target=x/y'})
    assert call(proxy, alice, 'GET', '/badlinks/plain').content == b'p'
    rows = {r['name']: r for r in call(proxy, alice, 'GET', '/badlinks?format=json').json()}
    assert 'symlink_path' not in rows['plain'] and rows['plain']['content_type'] == \
        'text/plain'


def test_symlink_grants_nothing_on_its_target(proxy, alice, bob):
    call(proxy, alice, 'PUT', '/private')
    call(proxy, alice, 'PUT', '/private/secret', data=b'secret')
    call(proxy, bob, 'PUT', '/bobs')
    call(proxy, bob, 'POST', '/bobs', headers={'X-Container-Read': '.r:*'})
    # bob links to alice's private object: reading the link needs rights on the target
    assert call(proxy, bob, 'PUT', '/bobs/steal', data=b'', headers={
        'X-Symlink-Target': 'private/secret',
        'X-Symlink-Target-Account': alice.account}).status_code == 201
    assert call(proxy, bob, 'GET', '/bobs/steal').status_code == 403
    assert anon(proxy, bob, 'GET', '/bobs/steal').status_code == 401
    # alice's own link, read through a TempURL of the link only, does not reach the target
    call(proxy, alice, 'PUT', '/private/link', data=b'',
         headers={'X-Symlink-Target': 'private/secret'})
    key = 'link-key-' + uuid.uuid4().hex
    call(proxy, alice, 'POST', headers={'X-Account-Meta-Temp-URL-Key': key})
    path = '/v1/%s/private/link' % alice.account
    expires = int(time.time() + 60)
    sig = hmac.new(key.encode(), ('GET\n%d\n%s' % (expires, path)).encode(),
                   hashlib.sha256).hexdigest()
    r = requests.get(proxy.url + path, params={'temp_url_sig': sig,
                                               'temp_url_expires': expires}, timeout=10)
    assert r.status_code == 401 and b'secret' not in r.content


# -- crossdomain -----------------------------------------------------------------------
def test_crossdomain_policy_grants_no_site_by_default(proxy):
    r = requests.get(proxy.url + '/crossdomain.xml', timeout=10)
    assert r.status_code == 200 and r.headers['Content-Type'].startswith('application/xml')
    assert r.text.startswith('<?xml version="1.0"?>\n<!DOCTYPE cross-domain-policy')
    assert r.text.endswith('</cross-domain-policy>')
    assert 'allow-access-from' not in r.text
    info = requests.get(proxy.url + '/info', timeout=10).json()
    for name in ('crossdomain', 'formpost', 'staticweb', 'symlink', 'bulk_upload'):
        assert name in info, name
    assert info['container_sync'] == {'realms': {'REALM1': {'clusters': {'LOCAL': {}}}}}


# -- container sync ----------------------------------------------------------------------
def run_sync(storage_cluster, proxy):
    storage_cluster.run_once('container-sync', module='objectstore.container.sync',
                             overrides={'objectstore': {
                                 'container_sync_realms_file': proxy.realms_path}})


def test_container_sync_between_two_accounts(proxy, alice, bob, storage_cluster):
    a, b = 'sync-a-' + uuid.uuid4().hex[:6], 'sync-b-' + uuid.uuid4().hex[:6]
    call(proxy, alice, 'PUT', '/' + a, headers={
        'X-Container-Sync-To': '//realm1/local/%s/%s' % (bob.account, b),
        'X-Container-Sync-Key': 'shared-secret'})
    call(proxy, bob, 'PUT', '/' + b, headers={
        'X-Container-Sync-To': '//REALM1/Local/%s/%s' % (alice.account, a),
        'X-Container-Sync-Key': 'shared-secret'})
    call(proxy, alice, 'PUT', '/%s/from-alice' % a, data=b'A',
         headers={'X-Object-Meta-Who': 'alice', 'Content-Type': 'text/x-a'})
    call(proxy, alice, 'PUT', '/%s/gone' % a, data=b'G')
    call(proxy, bob, 'PUT', '/%s/from-bob' % b, data=b'B')
    call(proxy, alice, 'PUT', '/%s/link' % a, data=b'',
         headers={'X-Symlink-Target': '%s/from-alice' % a})
    run_sync(storage_cluster, proxy)
    call(proxy, alice, 'DELETE', '/%s/gone' % a)
    run_sync(storage_cluster, proxy)
    run_sync(storage_cluster, proxy)
    rows_a = call(proxy, alice, 'GET', '/%s?format=json' % a).json()
    rows_b = call(proxy, bob, 'GET', '/%s?format=json' % b).json()
    assert [r['name'] for r in rows_a] == ['from-alice', 'from-bob', 'link']
    # same versions: same timestamps, hashes, types; a link stays relative to its account
    assert rows_b[2].pop('symlink_path') == '/v1/%s/%s/from-alice' % (bob.account, a)
    assert rows_a[2].pop('symlink_path') == '/v1/%s/%s/from-alice' % (alice.account, a)
    assert rows_a == rows_b
    got = call(proxy, bob, 'GET', '/%s/from-alice' % b)
    assert got.content == b'A' and got.headers['X-Object-Meta-Who'] == 'alice'
    assert call(proxy, alice, 'GET', '/%s/from-bob' % a).content == b'B'
    link = call(proxy, bob, 'HEAD', '/%s/link?symlink=get' % b)
    assert link.headers['X-Symlink-Target'] == '%s/from-alice' % a
    # the sync key and destination are the owner's to see and set
    head = call(proxy, alice, 'HEAD', '/' + a)
    assert head.headers['X-Container-Sync-Key'] == 'shared-secret'


def test_container_sync_writes_need_the_realm_key_and_the_sync_key(proxy, alice, bob):
    c = 'sync-dest-' + uuid.uuid4().hex[:6]
    call(proxy, bob, 'PUT', '/' + c, headers={'X-Container-Sync-Key': 'bobs-key'})
    from objectstore.container import sync_realms
    realms = sync_realms.Realms(proxy.realms_path)
    path = '/v1/%s/%s/injected' % (bob.account, c)
    ts = '%.5f' % time.time()
    etag = hashlib.md5(b'evil').hexdigest()

    def attempt(realm_key, sync_key, body=b'evil', signed_etag=etag):
        auth = sync_realms.auth_header('realm1', realm_key, 'PUT', path, ts, signed_etag,
                                       sync_key)
        return requests.put(proxy.url + path, data=body, timeout=10, headers={
            'X-Container-Sync-Auth': auth, 'X-Timestamp': ts, 'ETag': etag})
    assert attempt(realms.keys('realm1')[0], 'guessed').status_code == 401
    assert attempt('not-the-realm-key', 'bobs-key').status_code == 401
    # the signature binds the body: another body under a captured signature is refused
    assert attempt(realms.keys('realm1')[0], 'bobs-key', body=b'other').status_code == 422
    assert call(proxy, bob, 'HEAD', '/%s/injected' % c).status_code == 404
    assert attempt(realms.keys('realm1')[0], 'bobs-key').status_code == 201
    assert call(proxy, bob, 'GET', '/%s/injected' % c).content == b'evil'
    # where a container syncs to: a configured realm and cluster only, set by its owner
    for value in ('http://198.51.100.7:8080/v1/AUTH_x/c', '//other/local/AUTH_x/c',
                  '//realm1/elsewhere/AUTH_x/c', '//realm1/local/AUTH_x'):
        r = call(proxy, bob, 'POST', '/' + c, headers={'X-Container-Sync-To': value})
        assert r.status_code == 400, value
    share_account(proxy, alice, bob)
    call(proxy, alice, 'PUT', '/shared-sync', headers={'X-Container-Sync-Key': 'alices'})
    r = requests.post(proxy.storage_url(alice) + '/shared-sync', timeout=10, headers={
        'X-Auth-Token': bob.token, 'X-Container-Sync-Key': 'mine-now'})
    assert r.status_code == 403
    r = requests.head(proxy.storage_url(alice) + '/shared-sync', timeout=10,
                      headers={'X-Auth-Token': bob.token})
    assert 'X-Container-Sync-Key' not in r.headers
