"""The request time of an AWS-signed request decides whether s3tokens/ec2tokens may turn
its signature into a token (issue 16, finding 2): header-signed requests within the
window, presigned ones until their signed expiry, undated ones never."""
import hashlib
import time

import pytest

from identity.core import aws_request_time as art

NOW = 1_800_000_000.0


def amz(epoch):
    return time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(epoch))


def v4(epoch, canonical='GET\n/b/k\n\nhost:h\n\nhost\nUNSIGNED-PAYLOAD'):
    stamp = amz(epoch)
    return '\n'.join(['AWS4-HMAC-SHA256', stamp, '%s/RegionOne/s3/aws4_request' % stamp[:8],
                      hashlib.sha256(canonical.encode()).hexdigest()])


def presigned(epoch, expires):
    query = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=%s&X-Amz-Expires=%s' % (
        amz(epoch), expires)
    return '\n'.join(['GET', '/b/k', query, 'host:h', '', 'host', 'UNSIGNED-PAYLOAD'])


def fresh(text, canonical=None, ttl=900):
    try:
        art.check(text, canonical, now=NOW, ttl=ttl)
    except art.StaleRequest:
        return False
    return True


def test_header_signed_requests_live_within_the_window_both_ways():
    assert fresh(v4(NOW)) and fresh(v4(NOW - 899)) and fresh(v4(NOW + 899))
    assert not fresh(v4(NOW - 901)) and not fresh(v4(NOW + 901))
    assert not fresh(v4(1_577_836_800))  # 2020
    assert fresh(v4(NOW - 1700), ttl=1800) and not fresh(v4(NOW - 1900), ttl=1800)


def test_presigned_requests_live_until_their_signed_expiry():
    old = NOW - 3000
    canonical = presigned(old, 3600)
    assert fresh(v4(old, canonical), canonical)
    assert not fresh(v4(old, canonical))  # no proof of the expiry: the plain window
    expired = presigned(old, 2000)
    assert not fresh(v4(old, expired), expired)
    assert not fresh(v4(old, canonical), presigned(old, 86400))  # not what was signed
    future = presigned(NOW + 3600, 7200)
    assert not fresh(v4(NOW + 3600, future), future)
    too_long = presigned(old, 8 * 86400)
    assert not fresh(v4(old, too_long), too_long)
    other_date = presigned(old - 60, 3600)
    assert not fresh(v4(old, other_date), other_date)


@pytest.mark.parametrize('text', [
    'AWS4-HMAC-SHA256\n20500101T000000Z\n20500101/r/s3/aws4_request',
    'AWS4-HMAC-SHA256\n2050-01-01T00:00:00Z\n20500101/r/s3/aws4_request\nab',
    'AWS4-HMAC-SHA256\n%s\n19990101/r/s3/aws4_request\nab' % amz(NOW),
    'AWS4-HMAC-SHA256\n20261399T250000Z\n20261399/r/s3/aws4_request\nab',
    'GET\n\n\n\n/b/k', 'GET\n\n\nyesterday\n/b/k', 'garbage', ''])
def test_malformed_or_undated_strings_are_stale(text):
    assert not fresh(text)


def test_sigv2_dates_and_expiries():
    fmt = '%a, %d %b %Y %H:%M:%S GMT'
    assert fresh('GET\n\n\n%s\n/b/k' % time.strftime(fmt, time.gmtime(NOW - 60)))
    assert not fresh('GET\n\n\n%s\n/b/k' % time.strftime(fmt, time.gmtime(NOW - 3600)))
    amz_line = 'x-amz-date:%s' % time.strftime(fmt, time.gmtime(NOW))
    assert fresh('GET\n\n\n\n%s\n/b/k' % amz_line)
    assert fresh('GET\n\n\n%d\n/b/k' % (NOW + 60))
    assert not fresh('GET\n\n\n%d\n/b/k' % (NOW - 1))
    assert not fresh('GET\n\n\n%d\n/b/k' % (NOW + 8 * 86400))
