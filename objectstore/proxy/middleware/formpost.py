"""Form uploads: a browser POSTs a ``multipart/form-data`` form to
``/v1/<account>/<container>[/<object prefix>]`` and each file of the form becomes the
object ``<object prefix><file name>``, without any token.

The form carries ``max_file_size``, ``max_file_count``, ``expires``, ``redirect``
(optional) and ``signature``: HMAC(key, "<path>\\n<redirect>\\n<max_file_size>\\n
<max_file_count>\\n<expires>") in hex (SHA1, SHA256 or SHA512 by length) or as
``<digest>:<base64>``, keyed by one of the account's or container's Temp-URL keys, which
only the account's owner can set.  So a form grants exactly what its signer allowed:
uploads into that path, until ``expires``, at most ``max_file_count`` files of at most
``max_file_size`` bytes each.  ``x_delete_at``/``x_delete_after`` fields make the uploads
expire.  Fields must come before the files (the body is streamed, never held).

The answer is a 303 to ``redirect`` with ``status`` and ``message`` added, or without a
redirect the status of the last upload (``201 Created``) in plain text; a refused form is
a 401 ("FormPost: Invalid Signature", "FormPost: Form Expired") or 400 naming what is
wrong, as Swift words them.
"""
import hmac
import logging
import time
import urllib.parse

import webob

from objectstore.proxy import info
from objectstore.proxy import multipart
from objectstore.proxy import utils
from objectstore.proxy.middleware import tempurl

LOG = logging.getLogger(__name__)
MAX_FIELD_BYTES = 4096
MAX_FIELDS = 64
SIGNED_FIELDS = ('redirect', 'max_file_size', 'max_file_count', 'expires')


class FormError(Exception):
    """A form refused with ``status``; ``message`` follows "FormPost: "."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class _CappedReader:
    """A file part as an upload body: more than ``limit`` bytes stops the upload with a
    400 (raised inside the PUT, so nothing of the file is stored)."""

    def __init__(self, part, limit):
        self.part = part
        self.limit = limit
        self.count = 0

    def read(self, size=-1):
        data = self.part.read(size if size and size > 0 else 65536)
        self.count += len(data)
        if self.count > self.limit:
            raise utils.http_error(400, 'FormPost: max_file_size exceeded')
        return data


def _int_field(fields, name):
    try:
        return int(fields.get(name) or '')
    except ValueError:
        raise FormError(400, '%s not an integer' % name)


class FormPost:
    def __init__(self, app, digests=('sha1', 'sha256', 'sha512')):
        self.app = app
        self.digests = tuple(digests)

    def __call__(self, env, start_response):
        req = webob.Request(env)
        if info.is_info_request(req):
            return info.add_capability(req, self.app, 'formpost', {})(env, start_response)
        if not self._is_form(req):
            # errors from further down stay theirs (their fault bodies), so this layer
            # answers only for forms
            return self.app(env, start_response)
        return self._handle_form(env, start_response)

    @staticmethod
    def _is_form(req):
        """A POST of a multipart form to a Swift path (S3 and others pass by)."""
        if req.method != 'POST':
            return False
        ctype = (req.headers.get('Content-Type') or '').split(';', 1)[0].strip().lower()
        if ctype != 'multipart/form-data':
            return False
        parts = utils.request_parts(req)
        return parts is not None and parts[0] in ('v1', 'v1.0')

    @utils.handle_errors
    def _handle_form(self, req):
        try:
            boundary = multipart.boundary_of(req.headers.get('Content-Type'))
        except multipart.MultipartError as exc:
            return self._refusal(400, str(exc))
        _version, account, container, prefix = utils.split_path(utils.path_of(req))
        if container is None:
            return self._refusal(400, 'a form is posted to a container or an object prefix')
        fields = {}
        try:
            status, message = self._upload(req, fields, boundary, account, container,
                                           prefix or '')
        except FormError as exc:
            return self._refusal(exc.status, exc.message)
        except multipart.MultipartError as exc:
            return self._refusal(400, str(exc))
        return self._answer(fields.get('redirect'), status, message)

    @staticmethod
    def _refusal(status, message):
        text = 'FormPost: %s' % message
        if status == 401:
            text = 'FormPost: %s' % message.title()
        return utils.error_response(status, text)

    @staticmethod
    def _answer(redirect, status, message):
        if not redirect:
            body = status + ('\r\nFormPost: %s' % message if message else '')
            return webob.Response(status=int(status.split()[0]), body=body.encode('utf-8'),
                                  content_type='text/plain', charset='utf-8')
        query = urllib.parse.urlencode({'status': status.split()[0], 'message': message})
        location = redirect + ('&' if '?' in redirect else '?') + query
        resp = webob.Response(status=303, content_type='text/plain', charset='utf-8',
                              body=b'See Other\n')
        resp.headers['Location'] = location
        return resp

    def _upload(self, req, fields, boundary, account, container, prefix):
        """Upload the form's files; (status line, message) of the last upload."""
        keys = None
        status, message, files = None, '', 0
        reader = multipart.MultipartReader(req.environ['wsgi.input'], boundary)
        for headers, part in reader:
            kind, params = multipart.disposition(headers)
            if kind != 'form-data':
                # nothing unsigned is read past the (bounded) fields
                raise FormError(400, 'every part must be form-data')
            if 'filename' not in params:
                if len(fields) >= MAX_FIELDS:
                    raise FormError(400, 'more than %d form fields' % MAX_FIELDS)
                value = part.read_at_most(MAX_FIELD_BYTES)
                try:
                    fields[params.get('name', '').lower()] = value.decode('utf-8')
                except UnicodeDecodeError:
                    raise FormError(400, 'field %s is not UTF-8' % params.get('name'))
                continue
            if keys is None:
                keys = self._authorize(req, fields, account, container)
            files += 1
            if files > _int_field(fields, 'max_file_count'):
                status, message = '400 Bad Request', 'max file count exceeded'
                break
            name = params['filename'] or 'filename'
            content_type = fields.get('content-type') or \
                headers.get('Content-Type') or 'application/octet-stream'
            resp = self._put(req, fields, '/v1/%s/%s/%s' % (account, container, prefix + name),
                             content_type, part)
            status = resp.status
            if resp.status_int // 100 != 2:
                message = resp.text.strip().replace('FormPost: ', '', 1)
                break
        if status is None:
            raise FormError(400, 'no files to process')
        return status, message

    def _authorize(self, req, fields, account, container):
        """Check the form's signature and expiry once its fields are known."""
        try:
            expires = int(fields.get('expires') or '')
        except ValueError:
            raise FormError(400, 'expires not an integer')
        for name in ('max_file_size', 'max_file_count'):
            if _int_field(fields, name) < 0:
                raise FormError(400, '%s must not be negative' % name)
        redirect = fields.get('redirect') or ''
        if redirect and urllib.parse.urlsplit(redirect).scheme not in ('http', 'https'):
            raise FormError(400, 'redirect must be an http or https URL')
        if expires < time.time():
            raise FormError(401, 'form expired')
        parsed = tempurl.parse_sig(fields.get('signature') or '')
        keys = self._keys(req, account, container)
        if parsed is None or parsed[0] not in self.digests or not keys:
            raise FormError(401, 'invalid signature')
        digest, raw = parsed
        signed = '\n'.join([utils.path_of(req)] + [fields.get(f) or '' for f in
                                                     SIGNED_FIELDS]).encode('utf-8')
        if not any(hmac.compare_digest(hmac.new(key.encode('utf-8'), signed,
                                                tempurl.DIGESTS[digest]).digest(), raw)
                   for key in keys):
            raise FormError(401, 'invalid signature')
        return keys

    def _keys(self, req, account, container):
        ainfo = info.get_account_info(req.environ, self.app, account)
        cinfo = info.get_container_info(req.environ, self.app, account, container)
        return [meta[name] for meta in (ainfo.get('meta', {}), cinfo.get('meta', {}))
                for name in ('temp-url-key', 'temp-url-key-2') if meta.get(name)]

    def _put(self, req, fields, path, content_type, part):
        headers = {'Content-Type': content_type}
        for field, header in (('x_delete_at', 'X-Delete-At'),
                              ('x_delete_after', 'X-Delete-After')):
            if field in fields:
                headers[header] = str(_int_field(fields, field))
        body = _CappedReader(part, _int_field(fields, 'max_file_size'))
        sub = utils.subrequest(req.environ, 'PUT', path, headers=headers, body=body,
                               preauthed=True, source='formpost')
        resp = sub.get_response(self.app)
        utils.close_if_possible(resp)
        return resp


def filter_factory(global_conf, **local_conf):
    digests = local_conf.get('allowed_digests', 'sha1 sha256 sha512').split()

    def _filter(app):
        return FormPost(app, digests)
    return _filter
