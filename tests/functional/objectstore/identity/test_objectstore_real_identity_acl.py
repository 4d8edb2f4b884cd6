"""Container ACLs between identity's real projects, anonymous (.r:*) reads, and token
revocation pushed from identity to the proxy over RabbitMQ."""
import time
import uuid

import requests


def call(method, url, token=None, **kw):
    headers = kw.pop('headers', {})
    if token:
        headers['X-Auth-Token'] = token
    return requests.request(method, url, headers=headers, timeout=30, **kw)


def test_demo_reads_admins_container_only_through_its_acl(real_proxy, clean_containers):
    admin, demo = real_proxy.token('admin'), real_proxy.token('demo')
    container = 'shared-%s' % uuid.uuid4().hex[:8]
    clean_containers.append(('admin', container))
    base = '%s/%s' % (real_proxy.storage_url('admin'), container)
    assert call('PUT', base, admin).status_code == 201
    assert call('PUT', base + '/doc.txt', admin, data=b'admin data').status_code == 201

    # demo is a member of project demo only: admin's account is not its own.
    assert call('GET', base + '/doc.txt', demo).status_code == 403
    assert call('GET', base, demo).status_code == 403
    assert call('GET', base + '/doc.txt').status_code == 401  # anonymous

    demo_project = real_proxy.project_id('demo')
    resp = call('POST', base, admin, headers={'X-Container-Read': '%s:*' % demo_project})
    assert resp.status_code == 204
    assert call('HEAD', base, admin).headers['X-Container-Read'] == '%s:*' % demo_project
    resp = call('GET', base + '/doc.txt', demo)
    assert (resp.status_code, resp.content) == (200, b'admin data')
    listing = call('GET', base, demo, params={'format': 'json'})
    assert [o['name'] for o in listing.json()] == ['doc.txt']
    # read access is not write access, and not ACL changes
    assert call('PUT', base + '/by-demo', demo, data=b'x').status_code == 403
    assert call('DELETE', base + '/doc.txt', demo).status_code == 403
    assert call('POST', base, demo, headers={'X-Container-Read': '.r:*'}).status_code == 403
    # still no anonymous access
    assert call('GET', base + '/doc.txt').status_code == 401

    # a user-specific ACL for another user of the project does not match demo
    resp = call('POST', base, admin,
                headers={'X-Container-Read': '%s:%s' % (demo_project, uuid.uuid4().hex)})
    assert resp.status_code == 204
    assert call('GET', base + '/doc.txt', demo).status_code == 403
    resp = call('POST', base, admin, headers={'X-Container-Read': '%s:%s' % (
        demo_project, real_proxy.user_id('demo'))})
    assert call('GET', base + '/doc.txt', demo).status_code == 200

    # write ACL lets demo upload into admin's container
    resp = call('POST', base, admin, headers={'X-Container-Write': '%s:*' % demo_project})
    assert resp.status_code == 204
    assert call('PUT', base + '/by-demo', demo, data=b'from demo').status_code == 201
    assert call('GET', base + '/by-demo', admin).content == b'from demo'


def test_public_read_acl_needs_no_token(real_proxy, clean_containers):
    admin = real_proxy.token('admin')
    container = 'public-%s' % uuid.uuid4().hex[:8]
    clean_containers.append(('admin', container))
    base = '%s/%s' % (real_proxy.storage_url('admin'), container)
    assert call('PUT', base, admin).status_code == 201
    assert call('PUT', base + '/page.html', admin, data=b'<p>hi</p>',
                headers={'Content-Type': 'text/html'}).status_code == 201
    assert call('GET', base + '/page.html').status_code == 401
    resp = call('POST', base, admin, headers={'X-Container-Read': '.r:*'})
    assert resp.status_code == 204
    resp = call('GET', base + '/page.html')
    assert (resp.status_code, resp.content) == (200, b'<p>hi</p>')
    assert resp.headers['Content-Type'].startswith('text/html')
    # .r:* grants object reads, not listings (that needs .rlistings), nor writes
    assert call('GET', base).status_code == 401
    assert call('PUT', base + '/anon', data=b'x').status_code == 401
    # an invalid token is treated as anonymous: the public object is still readable
    assert call('GET', base + '/page.html', 'not-a-token').status_code == 200
    assert call('POST', base, admin,
                headers={'X-Container-Read': '.r:*,.rlistings'}).status_code == 204
    listing = call('GET', base, params={'format': 'json'})
    assert [o['name'] for o in listing.json()] == ['page.html']
    assert call('POST', base, admin, headers={'X-Remove-Container-Read': 'x'}).status_code == 204
    assert call('GET', base + '/page.html').status_code == 401


def test_revoked_token_refused_within_5s(real_proxy):
    token = real_proxy.token('demo')
    url = real_proxy.storage_url('demo')
    assert call('GET', url, token).status_code in (200, 204)
    other = real_proxy.token('demo')
    status, _, body = real_proxy.identity.request(
        'DELETE', '/v3/auth/tokens', token=real_proxy.token('admin'),
        headers={'X-Subject-Token': token})
    assert status == 204, body
    revoked_at = time.monotonic()
    while True:
        status = call('GET', url, token).status_code
        if status == 401:
            break
        assert time.monotonic() - revoked_at < 5.0, (
            'revoked token still accepted after 5 s (%s)\n%s' % (status,
                                                                 real_proxy.log_tail()))
        time.sleep(0.1)
    # identity agrees, and the user's other token still works
    status, _, _ = real_proxy.identity.request(
        'GET', '/v3/auth/tokens', token=real_proxy.token('admin'),
        headers={'X-Subject-Token': token})
    assert status == 404
    assert call('GET', url, other).status_code in (200, 204)


def test_x_remove_headers_clear_acls_and_versioning(real_proxy, clean_containers):
    """X-Remove-Container-Read/-Write and X-Remove-Versions-Location clear those settings
    (owner only), as in Swift."""
    admin, demo = real_proxy.token('admin'), real_proxy.token('demo')
    container = 'remove-%s' % uuid.uuid4().hex[:8]
    clean_containers.append(('admin', container))
    clean_containers.append(('admin', container + '-versions'))
    base = '%s/%s' % (real_proxy.storage_url('admin'), container)
    assert call('PUT', base + '-versions', admin).status_code == 201
    assert call('PUT', base, admin, headers={
        'X-Container-Read': '.r:*', 'X-Container-Write': '%s:*' % real_proxy.project_id('demo'),
        'X-Versions-Location': container + '-versions'}).status_code == 201
    head = call('HEAD', base, admin).headers
    assert head['X-Container-Read'] == '.r:*'
    assert head['X-Versions-Location'] == container + '-versions'
    # demo may write objects but not change the ACLs, not even remove them
    assert call('POST', base, demo, headers={'X-Remove-Container-Read': 'x'}).status_code == 403
    assert call('HEAD', base, admin).headers['X-Container-Read'] == '.r:*'
    resp = call('POST', base, admin, headers={'X-Remove-Container-Read': 'x',
                                               'X-Remove-Container-Write': 'x',
                                               'X-Remove-Versions-Location': 'x'})
    assert resp.status_code == 204
    head = call('HEAD', base, admin).headers
    for name in ('X-Container-Read', 'X-Container-Write', 'X-Versions-Location'):
        assert name not in head, head
    assert call('PUT', base + '/o', demo, data=b'x').status_code == 403


def test_one_request_id_per_response(real_proxy, clean_containers):
    """The proxy's request id only (not the storage servers' as well), equal to X-Trans-Id."""
    token = real_proxy.token('demo')
    container = 'reqid-%s' % uuid.uuid4().hex[:8]
    clean_containers.append(('demo', container))
    base = '%s/%s' % (real_proxy.storage_url('demo'), container)
    for method, url in (('PUT', base), ('HEAD', base), ('GET', base),
                        ('PUT', base + '/o'), ('GET', base + '/o'), ('HEAD', base + '/nope'),
                        ('GET', real_proxy.storage_url('demo'))):
        resp = call(method, url, token, data=b'x' if url.endswith('/o') and method == 'PUT'
                    else None)
        assert resp.status_code < 500
        req_id = resp.headers['X-OpenStack-Request-Id']
        assert ',' not in req_id and req_id == resp.headers['X-Trans-Id'], (method, url,
                                                                             resp.headers)
