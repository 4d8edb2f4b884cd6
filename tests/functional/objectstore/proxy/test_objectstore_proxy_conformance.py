"""What Swift clients and tempest read in the proxy's answers: a Content-Type on every
answer, bare object ETags, the storage policy, Swift's error wording where clients match
on it, the metadata a copy answers with, account quotas by count."""
import hashlib

import pytest
import requests

pytestmark = pytest.mark.timeout(300)


def call(proxy, user, method, path='', **kw):
    headers = kw.pop('headers', {})
    headers.setdefault('X-Auth-Token', user.token)
    return requests.request(method, proxy.storage_url(user) + path, headers=headers,
                            timeout=60, **kw)


def test_every_answer_names_a_content_type(proxy, alice):
    assert call(proxy, alice, 'PUT', '/ct').status_code in (201, 202)
    call(proxy, alice, 'PUT', '/ct/o', data=b'x')
    answers = {
        'account HEAD': call(proxy, alice, 'HEAD'),
        'account POST': call(proxy, alice, 'POST', headers={'X-Account-Meta-A': '1'}),
        'container HEAD': call(proxy, alice, 'HEAD', '/ct'),
        'container POST': call(proxy, alice, 'POST', '/ct',
                               headers={'X-Container-Meta-A': '1'}),
        'object POST': call(proxy, alice, 'POST', '/ct/o', headers={'X-Object-Meta-A': '1'}),
        'object DELETE': call(proxy, alice, 'DELETE', '/ct/o'),
        'container DELETE': call(proxy, alice, 'DELETE', '/ct'),
    }
    for what, resp in answers.items():
        assert resp.status_code // 100 == 2, (what, resp.status_code)
        assert resp.headers.get('Content-Type'), what
    json_head = call(proxy, alice, 'HEAD', '?format=json')
    assert json_head.headers['Content-Type'].startswith('application/json')


def test_object_etag_is_the_bare_md5(proxy, alice):
    call(proxy, alice, 'PUT', '/et')
    data = b'etag body'
    md5 = hashlib.md5(data).hexdigest()
    assert call(proxy, alice, 'PUT', '/et/o', data=data).headers['ETag'] == md5
    assert call(proxy, alice, 'GET', '/et/o').headers['ETag'] == md5
    assert call(proxy, alice, 'HEAD', '/et/o').headers['ETag'] == md5
    assert call(proxy, alice, 'GET', '/et/o', headers={'If-Match': md5}).status_code == 200
    assert call(proxy, alice, 'GET', '/et/o',
                headers={'If-None-Match': md5}).status_code == 304
    # an assembled large object keeps the quoted ETag Swift gives it
    call(proxy, alice, 'PUT', '/et/dlo', data=b'', headers={'X-Object-Manifest': 'et/o'})
    etag = call(proxy, alice, 'HEAD', '/et/dlo').headers['ETag']
    assert etag.startswith('"') and etag.endswith('"')


def test_storage_policy_shown_and_checked(proxy, alice):
    info = requests.get(proxy.url + '/info', timeout=10).json()
    policies = info['swift']['policies']
    assert [p['name'] for p in policies] == ['Policy-0'] and policies[0]['default']
    assert call(proxy, alice, 'PUT', '/pol', headers={
        'X-Storage-Policy': 'silver'}).status_code == 400
    assert call(proxy, alice, 'HEAD', '/pol').status_code == 404
    assert call(proxy, alice, 'PUT', '/pol', headers={
        'X-Storage-Policy': 'policy-0'}).status_code in (201, 202)
    call(proxy, alice, 'PUT', '/pol/o', data=b'12345')
    for method in ('HEAD', 'GET'):
        assert call(proxy, alice, method, '/pol').headers['X-Storage-Policy'] == 'Policy-0'
    account = call(proxy, alice, 'HEAD')
    prefix = 'X-Account-Storage-Policy-Policy-0-'
    assert account.headers[prefix + 'Container-Count'] == \
        account.headers['X-Account-Container-Count']
    assert account.headers[prefix + 'Object-Count'] == account.headers['X-Account-Object-Count']
    assert account.headers[prefix + 'Bytes-Used'] == account.headers['X-Account-Bytes-Used']


def test_error_wording_clients_match(proxy, alice):
    r = call(proxy, alice, 'PUT', '/' + 'c' * 257)
    assert r.status_code == 400 and 'Container name length of 257 longer than 256' in r.text
    r = call(proxy, alice, 'PUT', '/words', headers={'X-Container-Meta-Animal': 'v' * 257})
    assert r.status_code == 400 and 'Metadata value longer than 256' in r.text
    r = call(proxy, alice, 'PUT', '/words', headers={'X-Container-Meta-' + 'n' * 129: 'v'})
    assert r.status_code == 400 and 'Metadata name too long' in r.text
    call(proxy, alice, 'PUT', '/words')
    call(proxy, alice, 'PUT', '/words/o', data=b'x')
    r = call(proxy, alice, 'DELETE', '/words')
    assert r.status_code == 409
    assert 'There was a conflict when trying to complete your request.' in r.text


def test_copy_answers_with_the_copy_metadata(proxy, alice):
    call(proxy, alice, 'PUT', '/cp')
    call(proxy, alice, 'PUT', '/cp/src', data=b'source',
         headers={'X-Object-Meta-Src': 'src_value'})
    r = call(proxy, alice, 'COPY', '/cp/src', headers={
        'Destination': 'cp/dst', 'X-Object-Meta-Test': 'value', 'X-Object-Meta-Empty': ''})
    assert r.status_code == 201
    assert r.headers['X-Object-Meta-Test'] == 'value'
    assert r.headers['X-Object-Meta-Src'] == 'src_value'
    assert r.headers['X-Object-Meta-Empty'] == ''
    assert r.headers['X-Copied-From'] == 'cp/src'
    head = call(proxy, alice, 'HEAD', '/cp/dst')
    assert head.headers['X-Object-Meta-Test'] == 'value'
    assert head.headers['X-Object-Meta-Src'] == 'src_value'
    fresh = call(proxy, alice, 'COPY', '/cp/src', headers={
        'Destination': 'cp/fresh', 'X-Fresh-Metadata': 'true'})
    assert fresh.status_code == 201 and 'X-Object-Meta-Src' not in fresh.headers


def test_account_quota_by_object_count_is_the_resellers(proxy, alice):
    reseller = proxy.user('reseller', roles=['ResellerAdmin'])
    call(proxy, alice, 'PUT', '/cq')
    assert call(proxy, alice, 'POST', headers={'X-Account-Quota-Count': '1'}).status_code \
        == 403
    assert call(proxy, alice, 'POST', headers={
        'X-Account-Meta-Quota-Count': '1'}).status_code == 403

    def as_reseller(headers):
        return requests.post(proxy.storage_url(alice), timeout=10,
                             headers=dict(headers, **{'X-Auth-Token': reseller.token}))
    assert as_reseller({'X-Account-Quota-Count': 'many'}).status_code == 400
    # the account's counts follow its containers' reports (eventually), so the quota is
    # set at what the account holds now: one more object is over it
    count = int(call(proxy, alice, 'HEAD').headers['X-Account-Object-Count'])
    assert as_reseller({'X-Account-Quota-Count': str(count)}).status_code == 204
    r = call(proxy, alice, 'PUT', '/cq/two', data=b'2')
    assert r.status_code == 413
    assert call(proxy, alice, 'HEAD', '/cq/two').status_code == 404
    assert as_reseller({'X-Remove-Account-Quota-Count': 'x'}).status_code == 204
    assert call(proxy, alice, 'PUT', '/cq/two', data=b'2').status_code == 201
    # the Swift 2.34 name of the byte quota works too
    assert as_reseller({'X-Account-Quota-Bytes': '1'}).status_code == 204
    assert call(proxy, alice, 'PUT', '/cq/big', data=b'12').status_code == 413
    assert as_reseller({'X-Remove-Account-Quota-Bytes': 'x'}).status_code == 204
