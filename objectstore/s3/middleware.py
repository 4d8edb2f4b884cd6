"""The S3 API middleware: recognises AWS SigV4 requests (header or presigned query), has
identity check the signature (POST /v3/s3tokens, one call per request), sets the caller's
identity headers and runs the S3 operation as Swift requests on ``AUTH_<project>``."""
import base64
import json
import logging

import requests
import webob

from common import config
from objectstore.proxy import utils
from objectstore.s3 import base
from objectstore.s3 import bucket as bucket_ops
from objectstore.s3 import multipart
from objectstore.s3 import obj as obj_ops
from objectstore.s3 import payload
from objectstore.s3 import sigv4
from objectstore.s3.errors import S3Error

LOG = logging.getLogger(__name__)
HEX = set('0123456789abcdef')


class S3Middleware:
    def __init__(self, app, identity_url, location='us-east-1', reseller_prefix='AUTH_',
                 min_part_size=5 * 1024 * 1024, timeout=10.0, http=None):
        self.app = app
        self.identity_url = identity_url.rstrip('/')
        self.location = location
        self.reseller_prefix = reseller_prefix
        self.min_part_size = min_part_size
        self.timeout = timeout
        self.http = http or requests.Session()

    def __call__(self, env, start_response):
        req = webob.Request(env)
        if not sigv4.is_s3_request(req):
            return self.app(env, start_response)
        try:
            resp = self.handle(req)
        except S3Error as err:
            if env.get(payload.MISMATCH):
                err = S3Error('XAmzContentSHA256Mismatch')
            resp = err.response(req)
        resp.headers['x-amz-request-id'] = env.get('openstack.request_id', '')
        return resp(env, start_response)

    # -- authentication ------------------------------------------------------
    def authenticate(self, req, path):
        creds = sigv4.parse(req)
        canonical = sigv4.canonical_request(req, creds, path)
        to_sign = sigv4.string_to_sign(canonical, creds)
        body = {'credentials': {
            'access': creds.access,
            'token': base64.urlsafe_b64encode(to_sign.encode('utf-8')).decode('ascii'),
            'signature': creds.signature}}
        if creds.presigned:
            # identity refuses a signature far from its X-Amz-Date unless it can read a
            # signed expiry: the canonical request it hashes to carries X-Amz-Expires
            body['credentials']['canonical_request'] = canonical
        try:
            resp = self.http.post(self.identity_url + '/v3/s3tokens', json=body,
                                  timeout=self.timeout)
        except requests.RequestException as exc:
            LOG.error('identity s3tokens unreachable: %s', exc)
            raise S3Error('ServiceUnavailable', 'Cannot reach identity to check the signature')
        if resp.status_code in (401, 403, 404):
            text = resp.text.lower()
            if 'signed request is not usable' in text:
                raise S3Error('AccessDenied', 'Request has expired or is not dated now')
            if 'signature' in text:
                raise S3Error('SignatureDoesNotMatch', StringToSign=to_sign)
            raise S3Error('InvalidAccessKeyId', AWSAccessKeyId=creds.access)
        if resp.status_code != 200:
            LOG.error('identity s3tokens answered %s', resp.status_code)
            raise S3Error('ServiceUnavailable', 'Identity could not check the signature')
        try:
            token = resp.json()['token']
            user, project = token['user'], token['project']
            roles = [r['name'] for r in token.get('roles', [])]
            user_id, project_id = user['id'], project['id']
        except (ValueError, KeyError, TypeError):
            raise S3Error('InternalError', 'Identity sent a malformed answer')
        h = req.headers
        for name in ('X-Auth-Token', 'X-Storage-Token', 'X-Service-Token'):
            if name in h:
                del h[name]
        h['X-Identity-Status'] = 'Confirmed'
        h['X-User-Id'] = user_id
        h['X-User-Name'] = user.get('name') or ''
        h['X-Project-Id'] = project_id
        h['X-Project-Name'] = project.get('name') or ''
        h['X-User-Domain-Id'] = (user.get('domain') or {}).get('id') or ''
        h['X-Project-Domain-Id'] = (project.get('domain') or {}).get('id') or ''
        h['X-Roles'] = ','.join(roles)
        return creds, {'id': user_id, 'name': user.get('name') or user_id}, project_id

    def _body(self, req, creds):
        """A reader of the upload body (verified/decoded) and its length."""
        env = req.environ
        sha = sigv4.payload_hash(req, creds)
        source = env['wsgi.input']
        if sha.startswith('STREAMING-'):
            if sha != 'STREAMING-UNSIGNED-PAYLOAD-TRAILER':
                raise S3Error('NotImplemented', 'Signed aws-chunked uploads (%s) are not '
                              'supported; send UNSIGNED-PAYLOAD or the body hash' % sha)
            decoded = req.headers.get('X-Amz-Decoded-Content-Length')
            if decoded is None or not decoded.isdigit():
                raise S3Error('MissingContentLength', 'x-amz-decoded-content-length is '
                              'required for aws-chunked uploads')
            return payload.AwsChunkedReader(source, env), int(decoded)
        length = req.content_length
        if length is None:
            return source, None
        if sha != sigv4.UNSIGNED:
            if len(sha) != 64 or not set(sha) <= HEX:
                raise S3Error('InvalidArgument', 'x-amz-content-sha256 must be a hex SHA-256',
                              ArgumentName='x-amz-content-sha256', ArgumentValue=sha)
            return payload.Sha256Reader(source, length, sha, env), length
        return source, length

    # -- dispatch --------------------------------------------------------------
    def handle(self, req):
        try:
            path = req.path_info
        except UnicodeDecodeError:
            raise S3Error('InvalidURI', 'The path is not UTF-8', status=400)
        creds, user, project_id = self.authenticate(req, path)
        bucket, _sep, key = path.lstrip('/').partition('/')
        ctx = base.S3Context(req, self.app, self.reseller_prefix + project_id, bucket or None,
                             key or None, user)
        ctx.location = self.location
        method, q = req.method, req.GET
        if ctx.bucket is None:
            if method == 'GET':
                return bucket_ops.list_buckets(ctx)
            raise S3Error('MethodNotAllowed', Method=method, ResourceType='SERVICE')
        if ctx.key is None:
            return self._bucket(ctx, method, q)
        return self._object(ctx, req, creds, method, q)

    def _bucket(self, ctx, method, q):
        if method == 'GET':
            if 'location' in q:
                return bucket_ops.bucket_location(ctx)
            if 'uploads' in q:
                return multipart.list_uploads(ctx)
            if 'versioning' in q:
                ctx.check_bucket()
                return base.xml_response('VersioningConfiguration', [])
            for unsupported in ('acl', 'policy', 'lifecycle', 'cors', 'tagging', 'website'):
                if unsupported in q:
                    raise S3Error('NotImplemented', 'Bucket %s is not supported' % unsupported)
            return bucket_ops.list_objects(ctx)
        if method == 'HEAD':
            return bucket_ops.head_bucket(ctx)
        if method == 'PUT':
            if len(q):
                raise S3Error('NotImplemented', 'Bucket sub-resource %s is not supported'
                              % ','.join(q.keys()))
            return bucket_ops.create_bucket(ctx)
        if method == 'DELETE':
            return bucket_ops.delete_bucket(ctx)
        if method == 'POST' and 'delete' in q:
            return bucket_ops.delete_objects(ctx, lambda c, k: obj_ops.delete_object(c, k))
        raise S3Error('MethodNotAllowed', Method=method, ResourceType='BUCKET')

    def _object(self, ctx, req, creds, method, q):
        if 'uploadId' in q:
            if method == 'PUT':
                reader, length = self._body(req, creds)
                return multipart.upload_part(ctx, reader, length)
            if method == 'GET':
                return multipart.list_parts(ctx)
            if method == 'POST':
                return multipart.complete(ctx, self.min_part_size)
            if method == 'DELETE':
                return multipart.abort(ctx)
        if method == 'POST' and 'uploads' in q:
            return multipart.create(ctx)
        if method in ('GET', 'HEAD'):
            for unsupported in ('acl', 'tagging', 'torrent', 'retention'):
                if unsupported in q:
                    raise S3Error('NotImplemented', 'Object %s is not supported'
                                  % unsupported)
            return obj_ops.get_object(ctx)
        if method == 'PUT':
            reader, length = self._body(req, creds)
            return obj_ops.put_object(ctx, reader, length)
        if method == 'DELETE':
            return obj_ops.delete_object(ctx)
        raise S3Error('MethodNotAllowed', Method=method, ResourceType='OBJECT')


def filter_factory(global_conf, **local_conf):
    conf = config.from_paste(global_conf) if '__conf__' in global_conf else None
    identity = local_conf.get('auth_uri') or (
        conf.keystone_authtoken.www_authenticate_uri if conf is not None
        else 'http://127.0.0.1:5000')
    prefix = conf.proxy.reseller_prefix if conf is not None else 'AUTH_'
    min_part = int(local_conf.get('min_part_size', 5 * 1024 * 1024))

    def _filter(app):
        return S3Middleware(app, identity, local_conf.get('location', 'us-east-1'), prefix,
                            min_part)
    return _filter
