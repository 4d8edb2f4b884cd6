"""Limits on names, metadata and sizes, checked before anything is written (clear 4xx)."""
from objectstore.proxy import utils

LISTING_FORMATS = {'json': 'application/json', 'xml': 'application/xml',
                   'plain': 'text/plain'}


class Limits:
    """The configured limits (also published under ``swift`` in /info)."""

    def __init__(self, group):
        self.max_file_size = group.max_file_size
        self.container_listing_limit = group.container_listing_limit
        self.account_listing_limit = group.account_listing_limit
        self.max_object_name_length = group.max_object_name_length
        self.max_container_name_length = group.max_container_name_length
        self.max_account_name_length = group.max_account_name_length
        self.max_meta_name_length = group.max_meta_name_length
        self.max_meta_value_length = group.max_meta_value_length
        self.max_meta_count = group.max_meta_count
        self.max_meta_overall_size = group.max_meta_overall_size
        self.max_header_size = group.max_header_size

    def as_info(self):
        info = dict(vars(self))
        info['extra_header_count'] = 0
        info['valid_api_versions'] = ['v1', 'v1.0']
        info['version'] = '2.34.0'
        info['strict_cors_mode'] = True
        info['allow_account_management'] = False
        info['account_autocreate'] = True
        return info

    def check_names(self, account, container, obj):
        # the wording is Swift's: clients (tempest among them) match on it
        for kind, name, limit in (('Account', account, self.max_account_name_length),
                                  ('Container', container, self.max_container_name_length),
                                  ('Object', obj, self.max_object_name_length)):
            length = len(name.encode('utf-8')) if name is not None else 0
            if length > limit:
                raise utils.http_error(400, '%s name length of %d longer than %d'
                                       % (kind, length, limit))

    def check_metadata(self, req, target):
        """400 when X-<target>-Meta-* headers break the name/value/count/size limits."""
        prefix = 'x-%s-meta-' % target
        count = size = 0
        for name, value in req.headers.items():
            if not name.lower().startswith(prefix):
                continue
            key = name[len(prefix):]
            if not key:
                raise utils.http_error(400, 'Metadata name cannot be empty')
            if len(key.encode('utf-8')) > self.max_meta_name_length:
                raise utils.http_error(400, 'Metadata name too long: %s (max %d)' % (
                    key, self.max_meta_name_length))
            if len(value.encode('utf-8')) > self.max_meta_value_length:
                raise utils.http_error(400, 'Metadata value longer than %d: %s' % (
                    self.max_meta_value_length, key))
            count += 1
            size += len(key.encode('utf-8')) + len(value.encode('utf-8'))
        if count > self.max_meta_count:
            raise utils.http_error(400, 'Too many metadata items; max %d'
                                   % self.max_meta_count)
        if size > self.max_meta_overall_size:
            raise utils.http_error(400, 'Total metadata too large; max %d bytes'
                                   % self.max_meta_overall_size)

    def listing_limit(self, req, maximum):
        """The ``limit`` query as an int within ``maximum`` (412 above it, 400 malformed)."""
        text = req.GET.get('limit')
        if text is None or text == '':
            return maximum
        try:
            limit = int(text)
        except ValueError:
            raise utils.http_error(400, 'limit must be an integer, not %r' % text)
        if limit < 0:
            raise utils.http_error(400, 'limit must not be negative')
        if limit > maximum:
            raise utils.http_error(412, 'Maximum limit is %d' % maximum)
        return limit


def listing_format(req):
    """json, xml or plain from ``format=`` or the Accept header (406 if none fits).

    A ``format`` other than json or xml means plain text (``txt``, ``text``, ...), as
    Swift answers it."""
    fmt = req.GET.get('format')
    if fmt:
        fmt = fmt.strip().lower()
        return fmt if fmt in ('json', 'xml') else 'plain'
    accept = req.headers.get('Accept')
    if not accept:
        return 'plain'
    best = req.accept.best_match(['text/plain', 'application/json', 'application/xml',
                                  'text/xml'])
    if best is None:
        raise utils.http_error(406, 'Accept %r matches none of text/plain, '
                               'application/json, application/xml' % accept)
    return {'text/plain': 'plain', 'application/json': 'json'}.get(best, 'xml')


def clean_content_type(value):
    """A client's Content-Type without ``swift_*`` parameters: the storage keeps what
    the proxy's layers record about an object there (a symlink's target), so a client
    must not be able to write them."""
    parts = [p for p in value.split(';')
             if not p.strip().lower().startswith('swift_')]
    return ';'.join(parts).strip()


def check_delete_headers(req, now):
    """Validate X-Delete-At/X-Delete-After; convert After to At (returned, or None)."""
    after = req.headers.get('X-Delete-After')
    at = req.headers.get('X-Delete-At')
    if after is not None:
        try:
            seconds = int(after)
        except ValueError:
            raise utils.http_error(400, 'Non-integer X-Delete-After: %r' % after)
        if seconds < 0:
            raise utils.http_error(400, 'X-Delete-After in past')
        del req.headers['X-Delete-After']
        at = str(int(now + seconds))
        req.headers['X-Delete-At'] = at
    if at is not None:
        try:
            value = int(float(at))
        except ValueError:
            raise utils.http_error(400, 'Non-integer X-Delete-At: %r' % at)
        if value < now:
            raise utils.http_error(400, 'X-Delete-At in past')
        req.headers['X-Delete-At'] = str(value)
        return value
    return None
