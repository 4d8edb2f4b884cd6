"""AWS Signature Version 4: parse the credentials of a request and build the canonical
request and string to sign (identity then checks the signature with the secret)."""
import calendar
import hashlib
import re
import time
import urllib.parse

from objectstore.s3.errors import S3Error

ALGORITHM = 'AWS4-HMAC-SHA256'
UNSIGNED = 'UNSIGNED-PAYLOAD'
MAX_SKEW = 15 * 60
MAX_PRESIGN_EXPIRES = 7 * 86400
_CRED_RE = re.compile(r'^([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request$')


class Credentials:
    """What a signed request says: who, when, scope, which headers, which signature."""

    def __init__(self, access, date, region, service, signed_headers, signature, amz_date,
                 presigned=False, expires=None):
        self.access = access
        self.date = date
        self.region = region
        self.service = service
        self.signed_headers = signed_headers
        self.signature = signature
        self.amz_date = amz_date
        self.presigned = presigned
        self.expires = expires

    @property
    def scope(self):
        return '%s/%s/%s/aws4_request' % (self.date, self.region, self.service)


def is_s3_request(req):
    auth = req.headers.get('Authorization', '')
    return auth.startswith(('AWS4-', 'AWS ')) or 'X-Amz-Algorithm' in req.GET or \
        ('AWSAccessKeyId' in req.GET and 'Signature' in req.GET)


def _parse_credential(text, error):
    match = _CRED_RE.match(text or '')
    if not match:
        raise S3Error(error, 'Credential %r is not <key>/<date>/<region>/<service>/'
                      'aws4_request' % text)
    return match.groups()


def _parse_amz_date(text):
    try:
        return calendar.timegm(time.strptime(text, '%Y%m%dT%H%M%SZ'))
    except (TypeError, ValueError):
        return None


def parse(req, now=None):
    """Credentials of ``req``; S3Error for malformed, expired or v2 signatures."""
    now = time.time() if now is None else now
    auth = req.headers.get('Authorization', '')
    if auth.startswith('AWS ') or 'AWSAccessKeyId' in req.GET:
        raise S3Error('InvalidRequest', 'Signature version 2 is not supported; use AWS4-HMAC-'
                      'SHA256 (Signature Version 4)')
    if auth:
        algorithm, _, rest = auth.partition(' ')
        if algorithm != ALGORITHM:
            raise S3Error('AuthorizationHeaderMalformed', 'Unsupported algorithm %s'
                          % algorithm)
        fields = {}
        for item in rest.split(','):
            key, sep, value = item.strip().partition('=')
            if sep:
                fields[key.strip()] = value.strip()
        for needed in ('Credential', 'SignedHeaders', 'Signature'):
            if needed not in fields:
                raise S3Error('AuthorizationHeaderMalformed', 'The authorization header '
                              'lacks %s' % needed)
        access, date, region, service = _parse_credential(fields['Credential'],
                                                          'AuthorizationHeaderMalformed')
        amz_date = req.headers.get('X-Amz-Date') or ''
        stamp = _parse_amz_date(amz_date)
        if stamp is None:
            raise S3Error('AccessDenied', 'AWS authentication requires a valid X-Amz-Date')
        if abs(now - stamp) > MAX_SKEW:
            raise S3Error('RequestTimeTooSkewed')
        creds = Credentials(access, date, region, service,
                            fields['SignedHeaders'].split(';'), fields['Signature'], amz_date)
    else:
        q = req.GET
        if q.get('X-Amz-Algorithm') != ALGORITHM:
            raise S3Error('AuthorizationQueryParametersError', 'X-Amz-Algorithm must be %s'
                          % ALGORITHM)
        for needed in ('X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires',
                       'X-Amz-SignedHeaders', 'X-Amz-Signature'):
            if not q.get(needed):
                raise S3Error('AuthorizationQueryParametersError', 'Query lacks %s' % needed)
        access, date, region, service = _parse_credential(
            q['X-Amz-Credential'], 'AuthorizationQueryParametersError')
        stamp = _parse_amz_date(q['X-Amz-Date'])
        try:
            expires = int(q['X-Amz-Expires'])
        except ValueError:
            expires = -1
        if stamp is None or not 0 <= expires <= MAX_PRESIGN_EXPIRES:
            raise S3Error('AuthorizationQueryParametersError', 'X-Amz-Date or X-Amz-Expires '
                          'is invalid')
        if now > stamp + expires:
            raise S3Error('AccessDenied', 'Request has expired')
        if stamp - now > MAX_SKEW:
            raise S3Error('RequestTimeTooSkewed')
        creds = Credentials(access, date, region, service,
                            q['X-Amz-SignedHeaders'].split(';'), q['X-Amz-Signature'],
                            q['X-Amz-Date'], presigned=True, expires=expires)
    if creds.amz_date[:8] != creds.date:
        raise S3Error('SignatureDoesNotMatch', 'The credential date does not match '
                      'X-Amz-Date')
    if 'host' not in creds.signed_headers:
        raise S3Error('AccessDenied', 'The host header must be signed')
    return creds


def _encode(text, safe='-_.~'):
    return urllib.parse.quote(text, safe=safe)


def canonical_query(req, presigned):
    pairs = []
    for key, value in urllib.parse.parse_qsl(req.query_string, keep_blank_values=True):
        if presigned and key == 'X-Amz-Signature':
            continue
        pairs.append((_encode(key), _encode(value)))
    return '&'.join('%s=%s' % kv for kv in sorted(pairs))


def canonical_headers(req, names):
    lines = []
    for name in names:
        if name == 'host':
            value = req.host
        else:
            value = req.headers.get(name)
            if value is None:
                raise S3Error('AccessDenied', 'Signed header %s is missing' % name)
        lines.append('%s:%s\n' % (name, ' '.join(value.strip().split())))
    return ''.join(lines)


def payload_hash(req, creds):
    if creds.presigned:
        return UNSIGNED
    return req.headers.get('X-Amz-Content-SHA256') or UNSIGNED


def canonical_request(req, creds, path):
    """``path`` is the decoded request path; S3 signs it URI-encoded once."""
    return '\n'.join([req.method, _encode(path, safe='/-_.~'),
                      canonical_query(req, creds.presigned),
                      canonical_headers(req, creds.signed_headers),
                      ';'.join(creds.signed_headers), payload_hash(req, creds)])


def string_to_sign(canonical, creds):
    """The string to sign of a canonical request (``canonical_request``)."""
    digest = hashlib.sha256(canonical.encode('utf-8')).hexdigest()
    return '\n'.join([ALGORITHM, creds.amz_date, creds.scope, digest])
