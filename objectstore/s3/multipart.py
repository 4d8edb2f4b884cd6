"""S3 multipart uploads, kept in the ``<bucket>+segments`` container:
``<key>/<upload id>`` marks an upload (its content type says so; the object's own
content type and metadata are kept on it), ``<key>/<upload id>/<part:05d>`` are the
parts; Complete stores ``<key>`` as an SLO over the parts."""
import json
import uuid

import webob

from objectstore.proxy import utils
from objectstore.s3 import base
from objectstore.s3 import obj as s3obj
from objectstore.s3.errors import S3Error

MARKER_TYPE = 'application/x-objectstore-s3-upload'
MAX_PARTS = 10000
MAX_PARTS_LISTED = 1000


def _seg(ctx):
    return ctx.bucket + base.SEGMENTS_SUFFIX


def _marker_name(key, upload_id):
    return '%s/%s' % (key, upload_id)


def _part_name(key, upload_id, number):
    return '%s/%s/%05d' % (key, upload_id, number)


def _check_upload(ctx, upload_id):
    if not upload_id or len(upload_id) != 32 or not all(c in '0123456789abcdef'
                                                         for c in upload_id):
        raise S3Error('NoSuchUpload', UploadId=upload_id)
    head = ctx.swift('HEAD', _seg(ctx), _marker_name(ctx.key, upload_id))
    if head.status_int == 404:
        raise S3Error('NoSuchUpload', UploadId=upload_id)
    if head.status_int // 100 != 2:
        raise base.from_status(head.status_int, ctx.bucket, ctx.key)
    return head


def create(ctx):
    ctx.check_bucket()
    seg = _seg(ctx)
    if ctx.swift('HEAD', seg).status_int == 404:
        resp = ctx.swift('PUT', seg)
        if resp.status_int // 100 != 2:
            raise base.from_status(resp.status_int, ctx.bucket)
    upload_id = uuid.uuid4().hex
    headers = s3obj.object_headers(ctx.req)
    headers.pop('ETag', None)
    headers['X-Object-Meta-S3-Content-Type'] = headers.pop(
        'Content-Type', headers.pop('content-type', 'application/octet-stream'))
    headers['Content-Type'] = MARKER_TYPE
    resp = ctx.swift('PUT', seg, _marker_name(ctx.key, upload_id), headers=headers, body=b'')
    if resp.status_int // 100 != 2:
        raise base.from_status(resp.status_int, ctx.bucket, ctx.key)
    return base.xml_response('InitiateMultipartUploadResult', [
        ('Bucket', ctx.bucket), ('Key', ctx.key), ('UploadId', upload_id)])


def _part_number(ctx):
    text = ctx.req.GET.get('partNumber', '')
    if not text.isdigit() or not 1 <= int(text) <= MAX_PARTS:
        raise S3Error('InvalidArgument', 'Part number must be an integer between 1 and %d'
                      % MAX_PARTS, ArgumentName='partNumber', ArgumentValue=text)
    return int(text)


def upload_part(ctx, body_reader, length):
    number = _part_number(ctx)
    upload_id = ctx.req.GET.get('uploadId')
    _check_upload(ctx, upload_id)
    if ctx.req.headers.get('x-amz-copy-source'):
        raise S3Error('NotImplemented', 'UploadPartCopy is not supported')
    if length is None:
        raise S3Error('MissingContentLength')
    headers = s3obj.object_headers(ctx.req)
    headers = {k: v for k, v in headers.items() if k == 'ETag'}
    headers['Content-Length'] = str(length)
    resp = s3obj._put(ctx, _seg(ctx), _part_name(ctx.key, upload_id, number), headers,
                      body_reader, length)
    if resp.status_int // 100 != 2:
        raise base.from_status(resp.status_int, ctx.bucket, ctx.key)
    out = webob.Response(status=200, headerlist=[('ETag', '"%s"' % resp.headers['ETag']
                                                  .strip('"'))])
    out.content_length = 0
    return out


def _parts(ctx, upload_id, marker=0, limit=MAX_PARTS):
    prefix = '%s/%s/' % (ctx.key, upload_id)
    query = {'format': 'json', 'prefix': prefix, 'limit': min(limit, 10000)}
    if marker:
        query['marker'] = '%s%05d' % (prefix, marker)
    resp = ctx.swift('GET', _seg(ctx), query=query)
    if resp.status_int // 100 != 2:
        raise base.from_status(resp.status_int, ctx.bucket, ctx.key)
    rows = json.loads(resp.body or b'[]') if resp.status_int == 200 else []
    parts = []
    for row in rows:
        tail = row['name'][len(prefix):]
        if tail.isdigit():
            parts.append((int(tail), row))
    return parts


def list_parts(ctx):
    upload_id = ctx.req.GET.get('uploadId')
    _check_upload(ctx, upload_id)
    marker_text = ctx.req.GET.get('part-number-marker') or '0'
    max_text = ctx.req.GET.get('max-parts') or str(MAX_PARTS_LISTED)
    if not marker_text.isdigit() or not max_text.isdigit():
        raise S3Error('InvalidArgument', 'part-number-marker and max-parts must be integers')
    max_parts = min(int(max_text), MAX_PARTS_LISTED)
    parts = _parts(ctx, upload_id, int(marker_text), max_parts + 1)
    truncated = len(parts) > max_parts
    parts = parts[:max_parts]
    out = [('Bucket', ctx.bucket), ('Key', ctx.key), ('UploadId', upload_id),
           ('Initiator', [('ID', ctx.user['id']), ('DisplayName', ctx.user['name'])]),
           ('Owner', [('ID', ctx.user['id']), ('DisplayName', ctx.user['name'])]),
           ('StorageClass', 'STANDARD'), ('PartNumberMarker', int(marker_text))]
    if parts:
        out.append(('NextPartNumberMarker', parts[-1][0]))
    out += [('MaxParts', max_parts), ('IsTruncated', 'true' if truncated else 'false')]
    for number, row in parts:
        out.append(('Part', [('PartNumber', number),
                             ('LastModified', base.iso_time(row.get('last_modified'))),
                             ('ETag', '"%s"' % row['hash']), ('Size', row['bytes'])]))
    return base.xml_response('ListPartsResult', out)


def complete(ctx, min_part_size):
    upload_id = ctx.req.GET.get('uploadId')
    marker = _check_upload(ctx, upload_id)
    body = ctx.req.body_file.read(4 * 1024 * 1024 + 1)
    if len(body) > 4 * 1024 * 1024:
        raise S3Error('MalformedXML', 'The part list is too large')
    root = base.parse_xml(body, 'CompleteMultipartUpload')
    wanted = []
    for part in base.children(root, 'Part'):
        number = base.child_text(part, 'PartNumber') or ''
        etag = (base.child_text(part, 'ETag') or '').strip().strip('"')
        if not number.isdigit():
            raise S3Error('MalformedXML', 'PartNumber must be an integer')
        wanted.append((int(number), etag))
    if not wanted:
        raise S3Error('MalformedXML', 'The part list is empty')
    numbers = [n for n, _e in wanted]
    if numbers != sorted(set(numbers)):
        raise S3Error('InvalidPartOrder')
    stored = dict(_parts(ctx, upload_id))
    manifest, etags = [], []
    for i, (number, etag) in enumerate(wanted):
        row = stored.get(number)
        if row is None or (etag and etag != row['hash']):
            raise S3Error('InvalidPart', 'Part %d was not uploaded or its ETag differs'
                          % number, UploadId=upload_id, PartNumber=number, ETag=etag)
        if i < len(wanted) - 1 and row['bytes'] < min_part_size:
            raise S3Error('EntityTooSmall', 'Part %d is %d bytes; all parts but the last '
                          'must be at least %d' % (number, row['bytes'], min_part_size),
                          PartNumber=number, ProposedSize=row['bytes'],
                          MinSizeAllowed=min_part_size)
        manifest.append({'path': '/%s/%s' % (_seg(ctx), row['name']), 'etag': row['hash'],
                         'size_bytes': row['bytes']})
        etags.append(row['hash'])
    s3_etag = base.multipart_etag(etags)
    headers = {k: v for k, v in marker.headers.items()
               if k.lower().startswith('x-object-meta-') and
               k.lower() != 'x-object-meta-s3-content-type'}
    headers['Content-Type'] = marker.headers.get('X-Object-Meta-S3-Content-Type') or \
        'application/octet-stream'
    headers[base.META_ETAG] = s3_etag
    resp = ctx.swift('PUT', ctx.bucket, ctx.key, headers=headers,
                     body=json.dumps(manifest).encode(),
                     query={'multipart-manifest': 'put'})
    if resp.status_int // 100 != 2:
        raise base.from_status(resp.status_int, ctx.bucket, ctx.key)
    used = {number for number, _e in wanted}
    for number, row in stored.items():
        if number not in used:
            ctx.swift('DELETE', _seg(ctx), row['name'])
    ctx.swift('DELETE', _seg(ctx), _marker_name(ctx.key, upload_id))
    return base.xml_response('CompleteMultipartUploadResult', [
        ('Location', '%s/%s/%s' % (ctx.req.host_url, ctx.bucket, ctx.key)),
        ('Bucket', ctx.bucket), ('Key', ctx.key), ('ETag', '"%s"' % s3_etag)])


def abort(ctx):
    upload_id = ctx.req.GET.get('uploadId')
    _check_upload(ctx, upload_id)
    for _number, row in _parts(ctx, upload_id):
        resp = ctx.swift('DELETE', _seg(ctx), row['name'])
        utils.close_if_possible(resp)
    ctx.swift('DELETE', _seg(ctx), _marker_name(ctx.key, upload_id))
    return webob.Response(status=204, headerlist=[])


def list_uploads(ctx):
    ctx.check_bucket()
    prefix = ctx.req.GET.get('prefix', '')
    resp = ctx.swift('GET', _seg(ctx), query={'format': 'json', 'prefix': prefix})
    rows = json.loads(resp.body or b'[]') if resp.status_int == 200 else []
    uploads = []
    for row in rows:
        if row.get('content_type') != MARKER_TYPE:
            continue
        key, _sep, upload_id = row['name'].rpartition('/')
        uploads.append(('Upload', [
            ('Key', key), ('UploadId', upload_id),
            ('Initiator', [('ID', ctx.user['id']), ('DisplayName', ctx.user['name'])]),
            ('Owner', [('ID', ctx.user['id']), ('DisplayName', ctx.user['name'])]),
            ('StorageClass', 'STANDARD'),
            ('Initiated', base.iso_time(row.get('last_modified')))]))
    return base.xml_response('ListMultipartUploadsResult', [
        ('Bucket', ctx.bucket), ('KeyMarker', ''), ('UploadIdMarker', ''),
        ('Prefix', prefix), ('MaxUploads', 1000), ('IsTruncated', 'false')] + uploads)
