"""Temporary URLs: ``temp_url_sig`` + ``temp_url_expires`` (+ optional ``temp_url_prefix``,
``filename``, ``inline``) grant one method on one object (or a prefix) until expiry.

The signature is HMAC(key, "<METHOD>\\n<expires>\\n<path>") with SHA1, SHA256 or SHA512
(hex, or ``<digest>:<base64>``), keyed by X-Account-Meta-Temp-URL-Key(-2) or
X-Container-Meta-Temp-URL-Key(-2)."""
import base64
import binascii
import calendar
import hashlib
import hmac
import time
import urllib.parse

from objectstore.proxy import info
from objectstore.proxy import utils

DIGESTS = {'sha1': hashlib.sha1, 'sha256': hashlib.sha256, 'sha512': hashlib.sha512}
HEX_LENGTHS = {40: 'sha1', 64: 'sha256', 128: 'sha512'}
# a TempURL may not smuggle in headers that change what is stored beyond the object
REMOVED_HEADERS = ('x-object-manifest', 'x-static-large-object', 'x-auth-token',
                   'x-storage-token', 'x-copy-from', 'destination', 'x-copy-from-account',
                   'destination-account')
QUERY_KEYS = ('temp_url_sig', 'temp_url_expires', 'temp_url_prefix', 'filename', 'inline')


def parse_expires(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        pass
    try:
        return calendar.timegm(time.strptime(text, '%Y-%m-%dT%H:%M:%SZ'))
    except (TypeError, ValueError):
        return None


def parse_sig(sig):
    """(digest name, raw signature bytes) or None."""
    if ':' in sig:
        name, _, b64 = sig.partition(':')
        if name not in DIGESTS:
            return None
        try:
            return name, base64.urlsafe_b64decode(b64 + '=' * (-len(b64) % 4))
        except (binascii.Error, ValueError):
            return None
    name = HEX_LENGTHS.get(len(sig))
    if name is None:
        return None
    try:
        return name, bytes.fromhex(sig)
    except ValueError:
        return None


def content_disposition(kind, filename):
    """``kind; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>`` (RFC 6266
    with RFC 5987 for the exact name): pure printable ASCII whatever the name holds, so no
    CR/LF, quote or non-Latin-1 character of a name ever reaches the header line."""
    fallback = ''.join(c if ' ' <= c <= '~' and c not in '"\\%' else '_' for c in filename)
    exact = urllib.parse.quote(filename.encode('utf-8', 'replace'), safe='')
    return '%s; filename="%s"; filename*=UTF-8\'\'%s' % (kind, fallback, exact)


def sign(key, method, expires, path, digest='sha256'):
    """Hex signature (used by clients and tests)."""
    msg = '%s\n%s\n%s' % (method, expires, path)
    return hmac.new(key.encode(), msg.encode(), DIGESTS[digest]).hexdigest()


class TempURL:
    def __init__(self, app, methods=('GET', 'HEAD', 'PUT', 'POST', 'DELETE'),
                 digests=('sha1', 'sha256', 'sha512')):
        self.app = app
        self.methods = tuple(methods)
        self.digests = tuple(digests)

    @utils.handle_errors
    def __call__(self, req):
        if info.is_info_request(req):
            return info.add_capability(req, self.app, 'tempurl', {
                'methods': list(self.methods), 'allowed_digests': list(self.digests),
                'incoming_remove_headers': list(REMOVED_HEADERS)})
        if 'temp_url_sig' not in req.GET and 'temp_url_expires' not in req.GET:
            return req.get_response(self.app)
        return self.handle(req)

    def _denied(self, why):
        return utils.error_response(401, 'Temp URL invalid: %s' % why)

    def handle(self, req):
        sig = req.GET.get('temp_url_sig')
        expires = parse_expires(req.GET.get('temp_url_expires'))
        if not sig or expires is None:
            return self._denied('temp_url_sig and temp_url_expires are both required')
        if expires < time.time():
            return self._denied('expired')
        method = req.method
        if method not in self.methods and not (method in ('HEAD', 'OPTIONS')):
            return self._denied('method %s not allowed' % method)
        try:
            version, account, container, obj = utils.split_path(utils.path_of(req))
        except Exception:
            return self._denied('not an object path')
        if obj is None:
            return self._denied('not an object path')
        parsed = parse_sig(sig)
        if parsed is None or parsed[0] not in self.digests:
            return self._denied('unsupported signature format')
        digest, raw = parsed
        prefix = req.GET.get('temp_url_prefix')
        if prefix is not None:
            if not obj.startswith(prefix):
                return self._denied('object outside the signed prefix')
            signed_path = 'prefix:/%s/%s/%s/%s' % (version, account, container, prefix)
        else:
            signed_path = utils.path_of(req)
        keys = self._keys(req, account, container)
        if not keys:
            return self._denied('no Temp-URL-Key set')
        # HEAD is allowed with a GET, PUT or POST signature, as the reference does
        candidates = [method] if method != 'HEAD' else ['HEAD', 'GET', 'PUT', 'POST']
        ok = False
        for key in keys:
            for signed_method in candidates:
                msg = '%s\n%s\n%s' % (signed_method, req.GET['temp_url_expires'], signed_path)
                expected = hmac.new(key.encode(), msg.encode(), DIGESTS[digest]).digest()
                if hmac.compare_digest(expected, raw):
                    ok = True
        if not ok:
            return self._denied('signature does not match')
        for name in REMOVED_HEADERS:
            if name in req.headers:
                del req.headers[name]
        filename = req.GET.get('filename')
        inline = 'inline' in req.GET
        query = [(k, v) for k, v in urllib.parse.parse_qsl(req.query_string,
                                                          keep_blank_values=True)
                 if k not in QUERY_KEYS]
        req.environ['QUERY_STRING'] = urllib.parse.urlencode(query)
        req.environ[utils.AUTHORIZE_OVERRIDE] = True
        req.environ[utils.TEMPURL] = digest
        resp = req.get_response(self.app)
        if method == 'GET' and resp.status_int // 100 == 2:
            name = filename or obj.rsplit('/', 1)[-1]
            if inline:
                value = content_disposition('inline', name) if filename else 'inline'
            else:
                value = content_disposition('attachment', name)
            resp.headers['Content-Disposition'] = value
        return resp

    def _keys(self, req, account, container):
        keys = []
        ainfo = info.get_account_info(req.environ, self.app, account)
        cinfo = info.get_container_info(req.environ, self.app, account, container)
        for meta in (ainfo.get('meta', {}), cinfo.get('meta', {})):
            for name in ('temp-url-key', 'temp-url-key-2'):
                if meta.get(name):
                    keys.append(meta[name])
        return keys


def filter_factory(global_conf, **local_conf):
    methods = local_conf.get('methods', 'GET HEAD PUT POST DELETE').split()
    digests = local_conf.get('allowed_digests', 'sha1 sha256 sha512').split()

    def _filter(app):
        return TempURL(app, methods, digests)
    return _filter
