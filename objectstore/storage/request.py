"""Parsing and validating backend requests: paths, timestamps, drives."""
import os
import urllib.parse

import webob

from objectstore.storage import timestamp

DEVICE_CHARS = set('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-')
MAX_NAME = {'account': 256, 'container': 256, 'object': 1024}


class HTTPError(Exception):
    """Abort a request with ``status`` and a plain-text message."""

    def __init__(self, status, message='', headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def response(self):
        body = (self.message + '\n').encode('utf-8') if self.message else b''
        return webob.Response(status=self.status, body=body, headerlist=[
            ('Content-Type', 'text/plain; charset=UTF-8')] + list(self.headers.items()))


def split_path(req, min_segs, max_segs, rest_with_last=False):
    """Split ``req.path`` (raw, quoted) into unquoted segments; 400 if the count is wrong.

    With ``rest_with_last`` the last segment keeps any further slashes (object names)."""
    raw = req.environ.get('RAW_PATH_INFO') or urllib.parse.quote(req.path_info)
    raw = raw.split('?', 1)[0]
    if not raw.startswith('/'):
        raise HTTPError(400, 'path must start with /')
    pieces = raw[1:].split('/', max_segs - 1) if rest_with_last else raw[1:].split('/')
    try:
        segs = [urllib.parse.unquote(p, errors='strict') for p in pieces]
    except UnicodeDecodeError:
        raise HTTPError(400, 'path is not valid UTF-8')
    if len(segs) < min_segs or len(segs) > max_segs or \
            any(not s for s in segs[:min_segs]) or (segs and not segs[-1] and len(segs) > min_segs):
        raise HTTPError(400, 'invalid path %s' % raw)
    return segs + [None] * (max_segs - len(segs))


def check_device_part(device, part, part_count=None):
    if not device or set(device) - DEVICE_CHARS or device in ('.', '..'):
        raise HTTPError(400, 'invalid device name %r' % device)
    try:
        number = int(part)
    except (TypeError, ValueError):
        raise HTTPError(400, 'invalid partition %r' % part)
    if number < 0 or str(number) != part or (part_count is not None and number >= part_count):
        raise HTTPError(400, 'invalid partition %r' % part)
    return number


def check_names(**names):
    for kind, value in names.items():
        if value is None:
            continue
        if len(value.encode('utf-8')) > MAX_NAME[kind]:
            raise HTTPError(400, '%s name longer than %d bytes' % (kind, MAX_NAME[kind]))
        if '\x00' in value:
            raise HTTPError(400, '%s name contains NUL' % kind)


def device_path(devices, device, disk_full_check=False):
    """The mounted device directory, or 507 if this node does not have it."""
    path = os.path.join(devices, device)
    if not os.path.isdir(path):
        raise HTTPError(507, 'device %s is not available on this node' % device)
    if disk_full_check:
        stat = os.statvfs(path)
        if stat.f_bavail < stat.f_blocks * 0.01:
            raise HTTPError(507, 'device %s is full' % device)
    return path


def req_timestamp(req, name='X-Timestamp', required=True):
    try:
        return timestamp.from_header(req.headers, name, required)
    except ValueError as exc:
        raise HTTPError(400, str(exc))


def req_int(req, name, default=None, minimum=0):
    raw = req.headers.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise HTTPError(400, 'invalid %s header %r: not an integer' % (name, raw))
    if value < minimum:
        raise HTTPError(400, 'invalid %s header: below %d' % (name, minimum))
    return value


def wsgi_app(handler):
    """Wrap ``handler(req) -> Response`` so HTTPError turns into its response."""
    def app(environ, start_response):
        req = webob.Request(environ)
        try:
            resp = handler(req)
        except HTTPError as exc:
            resp = exc.response()
        return resp(environ, start_response)
    return app
