"""In-process unit tests of the proxy's pure logic: ACLs, ranges, limits, authorization,
TempURL signatures and the S3 SigV4 canonical request (checked against botocore)."""
import datetime
import hashlib
import hmac
import time

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
import webob

from common import exceptions
from objectstore.proxy import acl
from objectstore.proxy import ranges
from objectstore.proxy import utils
from objectstore.proxy.middleware import authz
from objectstore.proxy.middleware import tempurl
from objectstore.s3 import sigv4
from objectstore.s3.errors import S3Error


def test_container_acl_parsing_and_referrers():
    refs, groups = acl.parse_container_acl('.r:*,.rlistings,p1:u1, p2:*')
    assert refs == ['*'] and groups == ['.rlistings', 'p1:u1', 'p2:*']
    assert acl.referrer_allowed('http://a.example.com/x', ['.example.com'])
    assert not acl.referrer_allowed('http://a.example.com/x', ['*', '-.example.com'])
    with pytest.raises(exceptions.APIError) as err:
        acl.clean_container_acl('X-Container-Write', '.r:*')
    assert err.value.code == 400
    with pytest.raises(exceptions.APIError):
        acl.parse_account_acl('{"owner": []}')
    ident = {'user_id': 'u1', 'project_id': 'p1'}
    assert acl.identity_matches('p1:*', ident) and not acl.identity_matches('p2:u1', ident)
    assert acl.account_acl_level({'read-only': ['p1:u1']}, ident) == 'read-only'


def test_ranges():
    assert ranges.parse('bytes=0-9', 100) == [(0, 10)]
    assert ranges.parse('bytes=-10', 100) == [(90, 100)]
    assert ranges.parse('bytes=95-', 100) == [(95, 100)]
    assert ranges.parse('bytes=0-0,5-6', 100) == [(0, 1), (5, 7)]
    assert ranges.parse('items=0-1', 100) is None
    with pytest.raises(exceptions.APIError) as err:
        ranges.parse('bytes=200-', 100)
    assert err.value.code == 416


def test_split_path():
    assert utils.split_path('/v1/AUTH_a/c/o/with/slash') == ('v1', 'AUTH_a', 'c',
                                                             'o/with/slash')
    assert utils.split_path('/v1/AUTH_a') == ('v1', 'AUTH_a', None, None)
    with pytest.raises(exceptions.APIError):
        utils.split_path('/v1')


def _ok_app(env, start_response):
    start_response('200 OK', [('Content-Length', '0')])
    return [b'']


def _authorize(path, method='GET', roles='member', project='p1', user='u1', acl_value=None,
               anonymous=False, referer=None):
    mw = authz.Authorize(_ok_app, 'AUTH_', ['admin', 'member'], ['ResellerAdmin'])
    req = webob.Request.blank(path, method=method)
    if not anonymous:
        req.headers.update({'X-Identity-Status': 'Confirmed', 'X-User-Id': user,
                            'X-Project-Id': project, 'X-Roles': roles})
    if referer:
        req.referer = referer
    # account ACLs come from an info lookup; give the test an empty account
    req.environ[utils.INFOCACHE] = {'/AUTH_p2': {'status': 204, 'acl': None, 'meta': {}}}
    return mw.authorize(req, acl_value)


def test_authorization_rules():
    assert _authorize('/v1/AUTH_p1/c/o') is None                       # owner
    assert _authorize('/v1/AUTH_p2/c/o', roles='ResellerAdmin') is None  # reseller
    assert _authorize('/v1/AUTH_p2/c/o').status_int == 403             # other project
    assert _authorize('/v1/AUTH_p2/c/o', acl_value='p1:u1') is None     # container ACL
    assert _authorize('/v1/AUTH_p1/c/o', roles='reader').status_int == 403  # no operator role
    assert _authorize('/v1/AUTH_p2/c/o', anonymous=True).status_int == 401
    assert _authorize('/v1/AUTH_p2/c/o', anonymous=True, acl_value='.r:*') is None
    # referrers can read objects, but list only with .rlistings
    assert _authorize('/v1/AUTH_p2/c', anonymous=True, acl_value='.r:*').status_int == 401
    assert _authorize('/v1/AUTH_p2/c', anonymous=True, acl_value='.r:*,.rlistings') is None
    # a write ACL does not let one modify the container itself
    assert _authorize('/v1/AUTH_p2/c', method='DELETE', acl_value='p1:*').status_int == 403


def test_tempurl_signatures():
    sig = tempurl.sign('key', 'GET', 100, '/v1/AUTH_a/c/o', 'sha512')
    name, raw = tempurl.parse_sig(sig)
    assert name == 'sha512' and raw == hmac.new(
        b'key', b'GET\n100\n/v1/AUTH_a/c/o', hashlib.sha512).digest()
    assert tempurl.parse_sig('md5:abc') is None
    assert tempurl.parse_sig('zz' * 20) is None
    assert tempurl.parse_expires('2030-01-01T00:00:00Z') == 1893456000


def _signed_request(method, url, body=b'', headers=None, now=None):
    creds = botocore.credentials.Credentials('AKID', 'SECRET')
    aws = botocore.awsrequest.AWSRequest(method=method, url=url, data=body,
                                         headers=headers or {})
    signer = botocore.auth.S3SigV4Auth(creds, 's3', 'us-east-1')
    aws.context['timestamp'] = now.strftime('%Y%m%dT%H%M%SZ')
    signer.add_auth(aws)
    req = webob.Request.blank('/' + url.split('/', 3)[3], method=method,
                              base_url='http://' + url.split('/')[2])
    req.environ['HTTP_HOST'] = url.split('/')[2]
    for key, value in aws.headers.items():
        req.headers[key] = value if isinstance(value, str) else value.decode()
    req.body = body
    return req, aws


def test_sigv4_string_to_sign_matches_botocore():
    now = datetime.datetime.utcnow().replace(microsecond=0)
    req, aws = _signed_request('PUT', 'http://127.0.0.1:8080/bucket/dir/k%20ey.txt?uploads=',
                               b'data', {'Content-Type': 'text/plain'}, now)
    creds = sigv4.parse(req)
    assert creds.access == 'AKID' and creds.region == 'us-east-1'
    to_sign = sigv4.string_to_sign(sigv4.canonical_request(req, creds, req.path_info), creds)
    key = b'AWS4SECRET'
    for part in creds.scope.split('/'):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    assert hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest() == creds.signature


def test_sigv4_rejects_v2_and_skew():
    req = webob.Request.blank('/b', headers={'Authorization': 'AWS AKID:sig'})
    with pytest.raises(S3Error) as err:
        sigv4.parse(req)
    assert err.value.code == 'InvalidRequest'
    req, _aws = _signed_request('GET', 'http://127.0.0.1:8080/b',
                                now=datetime.datetime.utcnow())
    sigv4.parse(req)
    with pytest.raises(S3Error) as err:
        sigv4.parse(req, now=time.time() + 3600)
    assert err.value.code == 'RequestTimeTooSkewed'
