"""Static large objects: ``?multipart-manifest=put`` stores a validated JSON list of
segments; GET/HEAD assemble them; ``?multipart-manifest=get`` returns the manifest and
``?multipart-manifest=delete`` removes the manifest and its segments."""
import json
import urllib.parse

import webob

from objectstore.proxy import info
from objectstore.proxy import segments as seg_mod
from objectstore.proxy import utils
from objectstore.proxy.controllers.obj import SLO_PUT

MAX_MANIFEST_BYTES = 8 * 1024 * 1024


def _seg_path(account, name):
    return '/v1/%s/%s' % (account, name.lstrip('/'))


class StaticLargeObject:
    def __init__(self, app, max_segments=1000, min_segment_size=1):
        self.app = app
        self.max_segments = max_segments
        self.min_segment_size = min_segment_size

    @utils.handle_errors
    def __call__(self, req):
        if info.is_info_request(req):
            return info.add_capability(req, self.app, 'slo', {
                'max_manifest_segments': self.max_segments,
                'max_manifest_size': MAX_MANIFEST_BYTES,
                'min_segment_size': self.min_segment_size})
        try:
            _v, account, container, obj = utils.split_path(utils.path_of(req))
        except Exception:
            return req.get_response(self.app)
        if obj is None:
            return req.get_response(self.app)
        mode = req.GET.get('multipart-manifest')
        if req.method == 'PUT' and mode == 'put':
            return self.put_manifest(req, account)
        if req.method == 'DELETE' and mode == 'delete':
            return self.delete_manifest(req, account)
        if req.method in ('GET', 'HEAD') and mode != 'get':
            return self.get(req, account)
        if req.method == 'GET' and mode == 'get' and req.GET.get('format') == 'raw':
            return self.get_raw(req)
        return req.get_response(self.app)

    # -- PUT ---------------------------------------------------------------
    def _parse_manifest(self, req):
        length = req.content_length
        if length is not None and length > MAX_MANIFEST_BYTES:
            raise utils.http_error(413, 'Manifest larger than %d bytes' % MAX_MANIFEST_BYTES)
        raw = req.body_file.read(MAX_MANIFEST_BYTES + 1)
        if len(raw) > MAX_MANIFEST_BYTES:
            raise utils.http_error(413, 'Manifest larger than %d bytes' % MAX_MANIFEST_BYTES)
        try:
            segments = json.loads(raw)
        except ValueError:
            raise utils.http_error(400, 'Manifest must be valid JSON')
        if not isinstance(segments, list) or not segments:
            raise utils.http_error(400, 'Manifest must be a non-empty JSON list of segments')
        if len(segments) > self.max_segments:
            raise utils.http_error(400, 'Too many segments: %d (max %d)'
                                   % (len(segments), self.max_segments))
        allowed = {'path', 'etag', 'size_bytes', 'range'}
        for i, seg in enumerate(segments):
            if not isinstance(seg, dict):
                raise utils.http_error(400, 'Segment %d is not an object' % i)
            extra = set(seg) - allowed
            if extra:
                raise utils.http_error(400, 'Segment %d has unknown keys: %s'
                                       % (i, ', '.join(sorted(extra))))
            path = seg.get('path')
            if not isinstance(path, str) or len(path.lstrip('/').split('/', 1)) != 2 \
                    or not all(path.lstrip('/').split('/', 1)):
                raise utils.http_error(400, 'Segment %d: path must be /container/object' % i)
            if seg.get('size_bytes') is not None and (
                    not isinstance(seg['size_bytes'], int) or seg['size_bytes'] < 0):
                raise utils.http_error(400, 'Segment %d: size_bytes must be a non-negative '
                                       'integer' % i)
            if seg.get('etag') is not None and not isinstance(seg['etag'], str):
                raise utils.http_error(400, 'Segment %d: etag must be a string' % i)
        return segments

    def put_manifest(self, req, account):
        segments = self._parse_manifest(req)
        problems, stored = [], []
        total = 0
        for i, seg in enumerate(segments):
            name = urllib.parse.unquote(seg['path']).lstrip('/')
            head = utils.subrequest(req.environ, 'HEAD', _seg_path(account, name),
                                    source='slo').get_response(self.app)
            utils.close_if_possible(head)
            if head.status_int // 100 != 2:
                problems.append([seg['path'], '%d %s' % (head.status_int,
                                 head.status.split(' ', 1)[-1])])
                continue
            if utils.header_true(head.headers.get('X-Static-Large-Object')):
                problems.append([seg['path'], 'Nested large objects are not supported'])
                continue
            size = int(head.headers.get('Content-Length') or 0)
            etag = (head.headers.get('ETag') or '').strip('"')
            if seg.get('etag') and seg['etag'].strip('"').lower() != etag:
                problems.append([seg['path'], 'Etag Mismatch'])
            if seg.get('size_bytes') is not None and seg['size_bytes'] != size:
                problems.append([seg['path'], 'Size Mismatch'])
            start, end = 0, size
            if seg.get('range'):
                try:
                    first, last = seg['range'].split('-')
                    start = int(first) if first else max(0, size - int(last))
                    end = int(last) + 1 if first and last else size
                except ValueError:
                    problems.append([seg['path'], 'Invalid range %r' % seg['range']])
                    continue
                if not 0 <= start < end <= size:
                    problems.append([seg['path'], 'Range %r outside the segment'
                                     % seg['range']])
                    continue
            if end - start < self.min_segment_size and i < len(segments) - 1:
                problems.append([seg['path'], 'Too small; each segment must be at least '
                                 '%d bytes' % self.min_segment_size])
            total += end - start
            row = {'name': '/' + name, 'hash': etag, 'bytes': size,
                   'content_type': head.headers.get('Content-Type'),
                   'last_modified': head.headers.get('Last-Modified')}
            if seg.get('range'):
                row['range'] = '%d-%d' % (start, end - 1)
            stored.append(row)
        if problems:
            body = 'Errors:\n' + ''.join('%s, %s\n' % (p, why) for p, why in problems)
            if 'json' in (req.headers.get('Accept') or ''):
                body = json.dumps({'Errors': problems})
            return utils.error_response(400, body.rstrip('\n'))
        etag = seg_mod.slo_etag(self._etag_parts(stored))
        client_etag = (req.headers.get('ETag') or '').strip('"')
        if client_etag and client_etag != etag:
            return utils.error_response(422, 'The ETag you sent (%s) does not match the '
                                        'large object ETag (%s)' % (client_etag, etag))
        body = json.dumps(stored).encode()
        headers = {k: v for k, v in req.headers.items()
                   if k.lower().startswith('x-object-meta-') or k.lower() in (
                       'content-type', 'x-delete-at', 'x-delete-after', 'content-disposition',
                       'content-encoding')}
        headers['X-Static-Large-Object'] = 'True'
        sub = utils.subrequest(req.environ, 'PUT', utils.path_of(req),
                               headers=headers, body=body, source='slo')
        sub.environ[SLO_PUT] = True
        resp = sub.get_response(self.app)
        if resp.status_int == 201:
            resp.headers['ETag'] = '"%s"' % etag
        return resp

    @staticmethod
    def _etag_parts(rows):
        parts = []
        for row in rows:
            parts.append(row['hash'] + (':%s;' % row['range'] if row.get('range') else ''))
        return parts

    # -- GET / HEAD ----------------------------------------------------------
    def _manifest(self, req):
        """(response headers, manifest rows) of the manifest at the request path."""
        sub = utils.subrequest(req.environ, 'GET', utils.path_of(req),
                               query={'multipart-manifest': 'get'}, source='slo')
        resp = sub.get_response(self.app)
        if resp.status_int != 200:
            utils.close_if_possible(resp)
            raise utils.http_error(resp.status_int, 'Cannot read the manifest (%s)'
                                   % resp.status)
        body = b''.join(resp.app_iter)
        try:
            rows = json.loads(body)
        except ValueError:
            raise utils.http_error(500, 'Stored manifest is corrupt')
        return resp.headers, rows

    def get(self, req, account):
        resp = req.get_response(self.app)
        if resp.status_int in (304, 412, 416):
            # the condition was judged on the manifest itself; look again without it
            head = utils.subrequest(req.environ, 'HEAD', utils.path_of(req),
                                    source='slo').get_response(self.app)
            if not utils.header_true(head.headers.get('X-Static-Large-Object')):
                return resp
        elif resp.status_int // 100 != 2 or \
                not utils.header_true(resp.headers.get('X-Static-Large-Object')):
            return resp
        utils.close_if_possible(resp)
        headers, rows = self._manifest(req)
        etag = seg_mod.slo_etag(self._etag_parts(rows))
        denied = seg_mod.check_conditions(req, etag, headers.get('Last-Modified'))
        if denied is not None:
            return denied
        segments = []
        for row in rows:
            size = int(row['bytes'])
            start, end = 0, size
            if row.get('range'):
                first, last = row['range'].split('-')
                start, end = int(first), int(last) + 1
            segments.append(seg_mod.Segment(_seg_path(account, row['name'].lstrip('/')),
                                            size, row.get('hash'), start, end))
        base = {k: v for k, v in headers.items()
                if k.lower() not in ('content-length', 'etag', 'x-trans-id')}
        return seg_mod.respond(req, req.environ, self.app, segments, base, etag)

    def get_raw(self, req):
        headers, rows = self._manifest(req)
        out = []
        for row in rows:
            item = {'path': row['name'], 'etag': row['hash'], 'size_bytes': row['bytes']}
            if row.get('range'):
                item['range'] = row['range']
            out.append(item)
        return webob.Response(status=200, body=json.dumps(out).encode(),
                              content_type='application/json', charset='UTF-8')

    # -- DELETE --------------------------------------------------------------
    def delete_manifest(self, req, account):
        head = utils.subrequest(req.environ, 'HEAD', utils.path_of(req),
                                query={'multipart-manifest': 'get'},
                                source='slo').get_response(self.app)
        utils.close_if_possible(head)
        if head.status_int // 100 != 2:
            return head
        paths = []
        if utils.header_true(head.headers.get('X-Static-Large-Object')):
            _h, rows = self._manifest(req)
            paths = [_seg_path(account, r['name'].lstrip('/')) for r in rows]
        deleted = not_found = 0
        errors = []
        for path in paths + [utils.path_of(req)]:
            resp = utils.subrequest(req.environ, 'DELETE', path,
                                    source='slo').get_response(self.app)
            utils.close_if_possible(resp)
            if resp.status_int // 100 == 2:
                deleted += 1
            elif resp.status_int == 404:
                not_found += 1
            else:
                errors.append([path.split('/', 3)[-1], resp.status])
        status = '400 Bad Request' if errors else '200 OK'
        result = {'Number Deleted': deleted, 'Number Not Found': not_found,
                  'Errors': errors, 'Response Status': status, 'Response Body': ''}
        if 'json' in (req.headers.get('Accept') or ''):
            return webob.Response(status=200, body=json.dumps(result).encode(),
                                  content_type='application/json', charset='UTF-8')
        text = ''.join('%s: %s\n' % (k, v) for k, v in result.items() if k != 'Errors')
        text += 'Errors:\n' + ''.join('%s, %s\n' % tuple(e) for e in errors)
        return webob.Response(status=200, body=text.encode(), content_type='text/plain',
                              charset='UTF-8')


def filter_factory(global_conf, **local_conf):
    max_segments = int(local_conf.get('max_manifest_segments', 1000))
    min_size = int(local_conf.get('min_segment_size', 1))

    def _filter(app):
        return StaticLargeObject(app, max_segments, min_size)
    return _filter
