"""S3 object operations: PutObject, GetObject (Range), HeadObject, DeleteObject and
CopyObject, each one Swift request on the caller's account."""
import base64
import binascii
import urllib.parse

import webob

from objectstore.proxy import utils
from objectstore.s3 import base
from objectstore.s3.errors import S3Error

_PASS_REQUEST = ('content-type', 'content-encoding', 'content-disposition',
                 'content-language', 'cache-control', 'expires')
_READ_CONDITIONS = ('range', 'if-match', 'if-none-match', 'if-modified-since',
                    'if-unmodified-since')
_RESPONSE_OVERRIDES = {'response-content-type': 'Content-Type',
                       'response-content-language': 'Content-Language',
                       'response-expires': 'Expires', 'response-cache-control': 'Cache-Control',
                       'response-content-disposition': 'Content-Disposition',
                       'response-content-encoding': 'Content-Encoding'}


def object_headers(req):
    """Swift headers from S3 ones: x-amz-meta-* -> X-Object-Meta-*, Content-MD5 -> ETag."""
    headers = {}
    for key, value in req.headers.items():
        low = key.lower()
        if low.startswith('x-amz-meta-'):
            headers['X-Object-Meta-' + key[len('x-amz-meta-'):]] = value
        elif low in _PASS_REQUEST:
            headers[key] = value
    if req.headers.get('Content-MD5'):
        try:
            digest = base64.b64decode(req.headers['Content-MD5'], validate=True)
        except (binascii.Error, ValueError):
            raise S3Error('InvalidDigest')
        if len(digest) != 16:
            raise S3Error('InvalidDigest')
        headers['ETag'] = digest.hex()
    return headers


def swift_to_s3_headers(resp, out):
    for key, value in resp.headers.items():
        low = key.lower()
        if low == base.META_ETAG.lower():
            continue
        if low.startswith('x-object-meta-'):
            out.headers['x-amz-meta-' + key[len('x-object-meta-'):].lower()] = value
        elif low in ('content-type', 'content-length', 'content-range', 'last-modified',
                     'content-encoding', 'content-disposition', 'content-language',
                     'cache-control', 'expires', 'accept-ranges'):
            out.headers[key] = value
    etag = resp.headers.get(base.META_ETAG) or (resp.headers.get('ETag') or '').strip('"')
    if etag:
        out.headers['ETag'] = '"%s"' % etag


def put_object(ctx, body_reader, length):
    if ctx.req.headers.get('x-amz-copy-source'):
        return copy_object(ctx)
    headers = object_headers(ctx.req)
    if length is None:
        raise S3Error('MissingContentLength')
    headers['Content-Length'] = str(length)
    resp = _put(ctx, ctx.bucket, ctx.key, headers, body_reader, length)
    if resp.status_int == 404:
        raise S3Error('NoSuchBucket', BucketName=ctx.bucket)
    if resp.status_int // 100 != 2:
        raise base.from_status(resp.status_int, ctx.bucket, ctx.key)
    out = webob.Response(status=200, headerlist=[('ETag', '"%s"' % resp.headers['ETag']
                                                  .strip('"'))])
    out.content_length = 0
    return out


def _put(ctx, container, obj, headers, body_reader, length):
    sub = utils.subrequest(ctx.req.environ, 'PUT', ctx.path(container, obj), headers=headers,
                           body=body_reader, source='s3')
    del sub.headers['Transfer-Encoding']
    sub.content_length = length
    return sub.get_response(ctx.app)


def get_object(ctx):
    req = ctx.req
    headers = {k: v for k, v in req.headers.items() if k.lower() in _READ_CONDITIONS}
    resp = ctx.swift(req.method, ctx.bucket, ctx.key, headers=headers)
    if resp.status_int == 404:
        utils.close_if_possible(resp)
        if ctx.swift('HEAD', ctx.bucket).status_int == 404:
            raise S3Error('NoSuchBucket', BucketName=ctx.bucket)
        raise S3Error('NoSuchKey', Key=ctx.key)
    if resp.status_int == 304:
        out = webob.Response(status=304, headerlist=[])
        swift_to_s3_headers(resp, out)
        return out
    if resp.status_int // 100 != 2:
        utils.close_if_possible(resp)
        raise base.from_status(resp.status_int, ctx.bucket, ctx.key)
    out = webob.Response(status=resp.status_int, headerlist=[])
    swift_to_s3_headers(resp, out)
    for param, header in _RESPONSE_OVERRIDES.items():
        if req.GET.get(param):
            out.headers[header] = req.GET[param]
    out.app_iter = resp.app_iter if req.method == 'GET' else []
    if resp.headers.get('Content-Length') is not None:
        out.headers['Content-Length'] = resp.headers['Content-Length']
    return out


def delete_object(ctx, key=None):
    """Delete a key (a completed multipart upload with its parts); missing keys are fine."""
    key = key or ctx.key
    head = ctx.swift('HEAD', ctx.bucket, key)
    if head.status_int == 404:
        if ctx.swift('HEAD', ctx.bucket).status_int == 404:
            raise S3Error('NoSuchBucket', BucketName=ctx.bucket)
        return webob.Response(status=204, headerlist=[])
    if head.status_int // 100 != 2:
        raise base.from_status(head.status_int, ctx.bucket, key)
    query = {'multipart-manifest': 'delete'} \
        if utils.header_true(head.headers.get('X-Static-Large-Object')) else None
    resp = ctx.swift('DELETE', ctx.bucket, key, query=query)
    utils.close_if_possible(resp)
    if resp.status_int // 100 != 2 and resp.status_int != 404:
        raise base.from_status(resp.status_int, ctx.bucket, key)
    return webob.Response(status=204, headerlist=[])


def parse_copy_source(value):
    value = urllib.parse.unquote(value or '').split('?', 1)[0].lstrip('/')
    bucket, sep, key = value.partition('/')
    if not sep or not bucket or not key:
        raise S3Error('InvalidArgument', 'x-amz-copy-source must be <bucket>/<key>',
                      ArgumentName='x-amz-copy-source', ArgumentValue=value)
    return bucket, key


def copy_object(ctx):
    req = ctx.req
    src_bucket, src_key = parse_copy_source(req.headers['x-amz-copy-source'])
    directive = (req.headers.get('x-amz-metadata-directive') or 'COPY').upper()
    if directive not in ('COPY', 'REPLACE'):
        raise S3Error('InvalidArgument', 'x-amz-metadata-directive must be COPY or REPLACE',
                      ArgumentName='x-amz-metadata-directive', ArgumentValue=directive)
    if directive == 'COPY' and (src_bucket, src_key) == (ctx.bucket, ctx.key):
        raise S3Error('InvalidRequest', 'This copy request is illegal because it is trying '
                      'to copy an object to itself without changing the object\'s metadata')
    headers = {'X-Copy-From': utils.quote('/%s/%s' % (src_bucket, src_key))}
    if directive == 'REPLACE':
        headers.update(object_headers(req))
        headers['X-Fresh-Metadata'] = 'true'
    headers.pop('ETag', None)
    if req.headers.get('x-amz-copy-source-if-match'):
        head = ctx.swift('HEAD', src_bucket, src_key)
        if (head.headers.get('ETag') or '').strip('"') != \
                req.headers['x-amz-copy-source-if-match'].strip('"'):
            raise S3Error('PreconditionFailed')
    resp = ctx.swift('PUT', ctx.bucket, ctx.key, headers=headers)
    if resp.status_int == 404:
        if ctx.swift('HEAD', src_bucket).status_int == 404:
            raise S3Error('NoSuchBucket', BucketName=src_bucket)
        if ctx.swift('HEAD', ctx.bucket).status_int == 404:
            raise S3Error('NoSuchBucket', BucketName=ctx.bucket)
        raise S3Error('NoSuchKey', Key=src_key)
    if resp.status_int // 100 != 2:
        raise base.from_status(resp.status_int, ctx.bucket, ctx.key)
    return base.xml_response('CopyObjectResult', [
        ('LastModified', base.iso_time(resp.headers.get('Last-Modified'))),
        ('ETag', '"%s"' % resp.headers.get('ETag', '').strip('"'))])
