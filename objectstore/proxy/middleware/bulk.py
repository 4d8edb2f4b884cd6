"""Bulk operations: ``?bulk-delete`` (a newline-separated list of URL-encoded
/container[/object] paths) and ``?extract-archive=tar|tar.gz|tar.bz2`` (each file of the
archive becomes an object).  Every item runs as a sub-request with the caller's rights;
the answer lists counts and per-item errors (JSON, XML or plain text by Accept)."""
import json
import tarfile
import urllib.parse
from xml.sax import saxutils

import webob

from objectstore.proxy import info
from objectstore.proxy import utils

ARCHIVE_MODES = {'tar': 'r|', 'tar.gz': 'r|gz', 'tgz': 'r|gz', 'tar.bz2': 'r|bz2'}
MAX_PATH_LINE = 2048


def _status_line(code):
    return '%d %s' % (code, webob.Response(status=code).status.split(' ', 1)[1])


def render_result(req, result, status_code=200):
    accept = req.headers.get('Accept') or ''
    if 'json' in accept:
        body, ctype = json.dumps(result), 'application/json'
    elif 'xml' in accept:
        parts = ['<?xml version="1.0" encoding="UTF-8"?>', '<delete>' if
                 'Number Deleted' in result else '<extract>']
        for key, value in result.items():
            tag = key.lower().replace(' ', '_')
            if key == 'Errors':
                parts.append('<errors>' + ''.join(
                    '<object><name>%s</name><status>%s</status></object>' % (
                        saxutils.escape(n), saxutils.escape(s)) for n, s in value)
                    + '</errors>')
            else:
                parts.append('<%s>%s</%s>' % (tag, saxutils.escape(str(value)), tag))
        parts.append('</delete>' if 'Number Deleted' in result else '</extract>')
        body, ctype = '\n'.join(parts), 'application/xml'
    else:
        body = ''.join('%s: %s\n' % (k, v) for k, v in result.items() if k != 'Errors')
        body += 'Errors:\n' + ''.join('%s, %s\n' % (n, s) for n, s in result['Errors'])
        ctype = 'text/plain'
    return webob.Response(status=status_code, body=body.encode('utf-8'), content_type=ctype,
                          charset='UTF-8')


class Bulk:
    def __init__(self, app, max_deletes=10000, max_containers=10000, max_failed=1000):
        self.app = app
        self.max_deletes = max_deletes
        self.max_containers = max_containers
        self.max_failed = max_failed

    @utils.handle_errors
    def __call__(self, req):
        if info.is_info_request(req):
            return info.add_capabilities(req, self.app, {
                'bulk_delete': {'max_deletes_per_request': self.max_deletes,
                                'max_failed_deletes': self.max_failed},
                'bulk_upload': {'max_containers_per_extraction': self.max_containers,
                                'max_failed_extractions': self.max_failed}})
        if req.method in ('POST', 'DELETE') and 'bulk-delete' in req.GET:
            return self.bulk_delete(req)
        if req.method == 'PUT' and 'extract-archive' in req.GET:
            return self.extract(req)
        return req.get_response(self.app)

    def _paths(self, req):
        paths = []
        while True:
            line = req.body_file.readline(MAX_PATH_LINE + 1)
            if not line:
                break
            if len(line) > MAX_PATH_LINE:
                raise utils.http_error(400, 'A path in the list is longer than %d bytes'
                                       % MAX_PATH_LINE)
            text = urllib.parse.unquote(line.decode('utf-8', 'replace').strip())
            if text:
                paths.append(text)
            if len(paths) > self.max_deletes:
                raise utils.http_error(413, 'Too many paths: at most %d per request'
                                       % self.max_deletes)
        return paths

    def bulk_delete(self, req):
        _v, account, container, _o = utils.split_path(utils.path_of(req))
        if container is not None:
            raise utils.http_error(400, 'Bulk delete is an account operation: POST '
                                   '/v1/<account>?bulk-delete')
        paths = self._paths(req)
        if not paths:
            raise utils.http_error(400, 'Bulk delete needs a list of paths in the body')
        deleted = not_found = 0
        errors = []
        for path in paths:
            parts = path.lstrip('/').split('/', 1)
            if not parts[0] or (len(parts) == 2 and not parts[1]):
                errors.append([path, '400 Bad Request'])
                continue
            resp = utils.subrequest(req.environ, 'DELETE', '/v1/%s/%s' % (
                account, path.lstrip('/')), source='bulk').get_response(self.app)
            utils.close_if_possible(resp)
            if resp.status_int // 100 == 2:
                deleted += 1
            elif resp.status_int == 404:
                not_found += 1
            else:
                errors.append([path, resp.status])
            if len(errors) >= self.max_failed:
                break
        status = 200
        if errors:
            codes = {int(e[1].split()[0]) for e in errors}
            status = codes.pop() if len(codes) == 1 else 400
        return render_result(req, {'Number Deleted': deleted, 'Number Not Found': not_found,
                                   'Response Status': _status_line(status),
                                   'Response Body': '', 'Errors': errors})

    def extract(self, req):
        fmt = req.GET.get('extract-archive') or 'tar'
        mode = ARCHIVE_MODES.get(fmt)
        if mode is None:
            raise utils.http_error(400, 'extract-archive must be one of %s, not %r'
                                   % (', '.join(sorted(ARCHIVE_MODES)), fmt))
        _v, account, container, obj = utils.split_path(utils.path_of(req))
        base = '/'.join(p for p in (container, obj) if p)
        created, errors, containers = 0, [], set()
        try:
            archive = tarfile.open(fileobj=req.environ['wsgi.input'], mode=mode)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise utils.http_error(400, 'Invalid archive: %s' % exc)
        try:
            for member in archive:
                if not member.isfile():
                    continue
                name = member.name.lstrip('./').lstrip('/')
                full = '%s/%s' % (base, name) if base else name
                cont, sep, obj_name = full.partition('/')
                if not sep or not cont or not obj_name:
                    errors.append([urllib.parse.quote(full), '400 Bad Request'])
                    continue
                if container is None and cont not in containers:
                    if len(containers) >= self.max_containers:
                        errors.append([urllib.parse.quote(full), '400 Bad Request'])
                        continue
                    resp = utils.subrequest(req.environ, 'PUT', '/v1/%s/%s' % (account, cont),
                                            source='bulk').get_response(self.app)
                    if resp.status_int // 100 != 2:
                        errors.append([urllib.parse.quote(cont), resp.status])
                        continue
                    containers.add(cont)
                put = utils.subrequest(req.environ, 'PUT', '/v1/%s/%s/%s' % (
                    account, cont, obj_name), body=archive.extractfile(member), source='bulk')
                del put.headers['Transfer-Encoding']
                put.content_length = member.size
                resp = put.get_response(self.app)
                if resp.status_int // 100 == 2:
                    created += 1
                else:
                    errors.append([urllib.parse.quote(full), resp.status])
                if len(errors) >= self.max_failed:
                    break
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            errors.append(['', '400 Bad Request: invalid archive: %s' % exc])
        status = 201
        if errors:
            codes = {int(e[1].split()[0]) for e in errors}
            status = codes.pop() if len(codes) == 1 else 400
        return render_result(req, {'Number Files Created': created,
                                   'Response Status': _status_line(status),
                                   'Response Body': '', 'Errors': errors})


def filter_factory(global_conf, **local_conf):
    def _filter(app):
        return Bulk(app, int(local_conf.get('max_deletes_per_request', 10000)),
                    int(local_conf.get('max_containers_per_extraction', 10000)),
                    int(local_conf.get('max_failed_deletes', 1000)))
    return _filter
