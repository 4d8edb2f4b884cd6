"""S3 service and bucket operations: ListBuckets, Create/Delete/Head Bucket, ListObjects
(v1 and v2), GetBucketLocation, DeleteObjects."""
import base64
import json
import re

import webob

from objectstore.s3 import base
from objectstore.s3.errors import S3Error

_BUCKET_RE = re.compile(r'^[a-z0-9][a-z0-9.\-_]{1,61}[a-z0-9]$')
MAX_KEYS = 1000
MAX_DELETE = 1000


def check_bucket_name(name):
    if not _BUCKET_RE.match(name or '') or '..' in name or \
            re.match(r'^\d+\.\d+\.\d+\.\d+$', name) or name.endswith(base.SEGMENTS_SUFFIX):
        raise S3Error('InvalidBucketName', BucketName=name)


def list_buckets(ctx):
    resp = ctx.swift('GET', query={'format': 'json', 'limit': 10000})
    if resp.status_int // 100 != 2:
        raise base.from_status(resp.status_int)
    rows = json.loads(resp.body or b'[]') if resp.status_int == 200 else []
    buckets = [('Bucket', [('Name', r['name']),
                           ('CreationDate', base.iso_time(r.get('last_modified')))])
               for r in rows if not r['name'].endswith(base.SEGMENTS_SUFFIX)]
    return base.xml_response('ListAllMyBucketsResult', [
        ('Owner', [('ID', ctx.user['id']), ('DisplayName', ctx.user['name'])]),
        ('Buckets', buckets)])


def create_bucket(ctx):
    check_bucket_name(ctx.bucket)
    head = ctx.swift('HEAD', ctx.bucket)
    if head.status_int // 100 == 2:
        raise S3Error('BucketAlreadyOwnedByYou', BucketName=ctx.bucket)
    body = ctx.req.body_file.read(65536)
    if body.strip():
        root = base.parse_xml(body, 'CreateBucketConfiguration')
        location = base.child_text(root, 'LocationConstraint')
        if location and location not in (ctx.location, 'us-east-1'):
            raise S3Error('InvalidLocationConstraint', 'The location %s is not served here'
                          % location, status=400)
    resp = ctx.swift('PUT', ctx.bucket)
    if resp.status_int // 100 != 2:
        raise base.from_status(resp.status_int, ctx.bucket)
    out = webob.Response(status=200, headerlist=[('Location', '/' + ctx.bucket)])
    out.content_length = 0
    return out


def delete_bucket(ctx):
    ctx.check_bucket()
    resp = ctx.swift('DELETE', ctx.bucket)
    if resp.status_int == 409:
        raise S3Error('BucketNotEmpty', BucketName=ctx.bucket)
    if resp.status_int // 100 != 2:
        raise base.from_status(resp.status_int, ctx.bucket)
    # leftovers of aborted uploads go with the bucket
    seg = ctx.bucket + base.SEGMENTS_SUFFIX
    listing = ctx.swift('GET', seg, query={'format': 'json'})
    if listing.status_int == 200:
        for row in json.loads(listing.body or b'[]'):
            ctx.swift('DELETE', seg, row['name'])
    if listing.status_int // 100 == 2:
        ctx.swift('DELETE', seg)
    return webob.Response(status=204, headerlist=[])


def head_bucket(ctx):
    head = ctx.swift('HEAD', ctx.bucket)
    if head.status_int // 100 != 2:
        err = base.from_status(head.status_int, ctx.bucket)
        return webob.Response(status=err.status, headerlist=[])
    return webob.Response(status=200, headerlist=[('x-amz-bucket-region', ctx.location)])


def bucket_location(ctx):
    ctx.check_bucket()
    loc = ctx.location if ctx.location != 'us-east-1' else ''
    return base.xml_response('LocationConstraint', []) if not loc else webob.Response(
        status=200, content_type='application/xml', charset='UTF-8',
        body=('<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="%s">%s'
              '</LocationConstraint>' % (base.XMLNS, loc)).encode())


def _int_param(req, name, default, maximum):
    text = req.GET.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise S3Error('InvalidArgument', '%s must be an integer' % name,
                      ArgumentName=name, ArgumentValue=text)
    if value < 0:
        raise S3Error('InvalidArgument', '%s must not be negative' % name,
                      ArgumentName=name, ArgumentValue=text)
    return min(value, maximum)


def list_objects(ctx):
    req = ctx.req
    v2 = req.GET.get('list-type') == '2'
    max_keys = _int_param(req, 'max-keys', MAX_KEYS, MAX_KEYS)
    prefix = req.GET.get('prefix', '')
    delimiter = req.GET.get('delimiter', '')
    if v2:
        token = req.GET.get('continuation-token')
        if token:
            try:
                marker = base64.urlsafe_b64decode(token.encode()).decode('utf-8')
            except (ValueError, UnicodeDecodeError):
                raise S3Error('InvalidArgument', 'The continuation token is invalid',
                              ArgumentName='continuation-token', ArgumentValue=token)
        else:
            marker = req.GET.get('start-after', '')
    else:
        marker = req.GET.get('marker', '')
    query = {'format': 'json', 'limit': max_keys + 1}
    for key, value in (('prefix', prefix), ('delimiter', delimiter), ('marker', marker)):
        if value:
            query[key] = value
    resp = ctx.swift('GET', ctx.bucket, query=query)
    if resp.status_int == 404:
        raise S3Error('NoSuchBucket', BucketName=ctx.bucket)
    if resp.status_int // 100 != 2:
        raise base.from_status(resp.status_int, ctx.bucket)
    rows = json.loads(resp.body or b'[]') if resp.status_int == 200 else []
    truncated = len(rows) > max_keys
    rows = rows[:max_keys]
    url = req.GET.get('encoding-type') == 'url'

    def enc(text):
        import urllib.parse
        return urllib.parse.quote(text, safe='/') if url else text
    contents, prefixes = [], []
    for row in rows:
        if 'subdir' in row:
            prefixes.append(('CommonPrefixes', [('Prefix', enc(row['subdir']))]))
            continue
        item = [('Key', enc(row['name'])),
                ('LastModified', base.iso_time(row.get('last_modified'))),
                ('ETag', '"%s"' % row.get('hash', '')), ('Size', row.get('bytes', 0)),
                ('StorageClass', 'STANDARD')]
        if not v2 or req.GET.get('fetch-owner') == 'true':
            item.append(('Owner', [('ID', ctx.user['id']),
                                   ('DisplayName', ctx.user['name'])]))
        contents.append(('Contents', item))
    last = (rows[-1].get('subdir') or rows[-1].get('name')) if rows else None
    out = [('Name', ctx.bucket), ('Prefix', enc(prefix))]
    if v2:
        if req.GET.get('start-after'):
            out.append(('StartAfter', enc(req.GET['start-after'])))
        if req.GET.get('continuation-token'):
            out.append(('ContinuationToken', req.GET['continuation-token']))
        if truncated and last:
            out.append(('NextContinuationToken',
                        base64.urlsafe_b64encode(last.encode()).decode()))
        out.append(('KeyCount', len(contents) + len(prefixes)))
    else:
        out.append(('Marker', enc(marker)))
        if truncated and delimiter and last:
            out.append(('NextMarker', enc(last)))
    out.append(('MaxKeys', max_keys))
    if delimiter:
        out.append(('Delimiter', enc(delimiter)))
    if url:
        out.append(('EncodingType', 'url'))
    out.append(('IsTruncated', 'true' if truncated else 'false'))
    return base.xml_response('ListBucketResult', out + contents + prefixes)


def delete_objects(ctx, delete_one):
    ctx.check_bucket()
    body = ctx.req.body_file.read(2 * 1024 * 1024 + 1)
    if len(body) > 2 * 1024 * 1024:
        raise S3Error('MalformedXML', 'The Delete document is too large')
    if ctx.req.headers.get('Content-MD5'):
        import hashlib
        try:
            digest = base64.b64decode(ctx.req.headers['Content-MD5'], validate=True)
        except ValueError:
            raise S3Error('InvalidDigest')
        if digest != hashlib.md5(body).digest():
            raise S3Error('BadDigest')
    root = base.parse_xml(body, 'Delete')
    quiet = (base.child_text(root, 'Quiet') or '').lower() == 'true'
    objects = base.children(root, 'Object')
    if len(objects) > MAX_DELETE:
        raise S3Error('MalformedXML', 'At most %d keys per request' % MAX_DELETE)
    out = []
    for obj in objects:
        key = base.child_text(obj, 'Key')
        if not key:
            raise S3Error('MalformedXML', 'An Object has no Key')
        try:
            delete_one(ctx, key)
            if not quiet:
                out.append(('Deleted', [('Key', key)]))
        except S3Error as err:
            out.append(('Error', [('Key', key), ('Code', err.code),
                                  ('Message', err.message)]))
    return base.xml_response('DeleteResult', out)
