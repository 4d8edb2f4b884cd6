"""When an AWS-signed request was made, and whether its signature may still become a token.

``/v3/s3tokens`` and ``/v3/ec2tokens`` see only the string to sign, so the time must come
from it: SigV4 carries the request time on its second line; SigV2 carries the Date (or
``x-amz-date``) or, for a presigned URL, its expiry epoch.  A request is usable within
``ttl`` seconds of its time, either way.  A presigned SigV4 request is usable until its
own X-Amz-Expires, but only when the caller also sends the canonical request whose hash
the string to sign holds: the expiry is then signed, not claimed.
"""
import calendar
import email.utils
import hashlib
import hmac
import re
import time
import urllib.parse

SIGV4 = 'AWS4-HMAC-SHA256'
MAX_PRESIGN_SECONDS = 7 * 86400  # the longest expiry AWS lets a presigned URL have
_AMZ_DATE = re.compile(r'\d{8}T\d{6}Z')


class StaleRequest(Exception):
    """The signed request is too old, too far in the future, expired or undated."""


def _amz_epoch(text):
    if not _AMZ_DATE.fullmatch(text or ''):
        raise StaleRequest('the request time %r is not an ISO 8601 basic UTC time' % text)
    try:
        return calendar.timegm(time.strptime(text, '%Y%m%dT%H%M%SZ'))
    except ValueError:
        raise StaleRequest('the request time %r is not a valid time' % text)


def _http_epoch(text):
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        value = None
    if value is None:
        raise StaleRequest('the request date %r is not an HTTP date' % text)
    return value.timestamp()


def _within(stamp, now, ttl):
    if abs(now - stamp) > ttl:
        raise StaleRequest('the request time is more than %d minutes away from now'
                           % (ttl // 60))


def _presign_expiry(lines, canonical_request, amz_date):
    """Seconds a presigned SigV4 request lasts, proven by its canonical request; None when
    there is no such proof (the caller then applies the plain window)."""
    if canonical_request is None:
        return None
    digest = hashlib.sha256(canonical_request.encode('utf-8')).hexdigest()
    if not hmac.compare_digest(digest, lines[3]):
        raise StaleRequest('the canonical request does not match the signed hash')
    parts = canonical_request.split('\n')
    query = urllib.parse.parse_qs(parts[2] if len(parts) > 2 else '', keep_blank_values=True)
    if 'X-Amz-Expires' not in query:
        return None
    expires, dates = query['X-Amz-Expires'], query.get('X-Amz-Date')
    if len(expires) != 1 or not expires[0].isdigit() or dates != [amz_date]:
        raise StaleRequest('the presigned X-Amz-Date/X-Amz-Expires are malformed')
    seconds = int(expires[0])
    if not 1 <= seconds <= MAX_PRESIGN_SECONDS:
        raise StaleRequest('X-Amz-Expires must be 1 to %d seconds' % MAX_PRESIGN_SECONDS)
    return seconds


def _check_v4(lines, canonical_request, now, ttl):
    if len(lines) != 4:
        raise StaleRequest('a SigV4 string to sign has four lines')
    stamp = _amz_epoch(lines[1])
    if not lines[2].startswith(lines[1][:8] + '/'):
        raise StaleRequest('the credential scope date is not the request date')
    expires = _presign_expiry(lines, canonical_request, lines[1])
    if expires is None:
        return _within(stamp, now, ttl)
    if stamp - now > ttl:
        raise StaleRequest('the presigned request is dated in the future')
    if now > stamp + expires:
        raise StaleRequest('the presigned request has expired')


def _check_v2(lines, now, ttl):
    # VERB, Content-MD5, Content-Type, Date (or the expiry epoch of a presigned URL),
    # then the canonical x-amz-* headers and the resource.
    if len(lines) < 5:
        raise StaleRequest('not an AWS string to sign')
    date = lines[3]
    if date.isdigit():
        expires = int(date)
        if now > expires:
            raise StaleRequest('the presigned request has expired')
        if expires - now > MAX_PRESIGN_SECONDS:
            raise StaleRequest('the presigned request expires more than 7 days from now')
        return None
    amz = [line.split(':', 1)[1] for line in lines[4:-1] if line.startswith('x-amz-date:')]
    if amz:
        return _within(_http_epoch(amz[0].strip()), now, ttl)
    if date:
        return _within(_http_epoch(date), now, ttl)
    raise StaleRequest('the signed request carries no date')


def check(string_to_sign, canonical_request=None, now=None, ttl=15 * 60):
    """Raise StaleRequest unless the signed request is fresh (see the module doc)."""
    now = time.time() if now is None else now
    lines = string_to_sign.split('\n')
    if lines[0] == SIGV4:
        return _check_v4(lines, canonical_request, now, ttl)
    return _check_v2(lines, now, ttl)
