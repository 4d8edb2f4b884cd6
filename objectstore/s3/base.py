"""The context of one authenticated S3 request: its bucket/key and Swift sub-requests."""
import email.utils
import hashlib
import time
import xml.etree.ElementTree as ET
from xml.sax import saxutils

import webob

from objectstore.proxy import utils
from objectstore.s3.errors import S3Error

XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/'
SEGMENTS_SUFFIX = '+segments'
META_ETAG = 'X-Object-Meta-S3-Multipart-Etag'  # the S3 ETag of a completed upload


class S3Context:
    def __init__(self, req, app, account, bucket, key, user):
        self.req = req
        self.app = app
        self.account = account
        self.bucket = bucket
        self.key = key
        self.user = user  # {'id', 'name'}

    def path(self, container=None, obj=None):
        parts = ['/v1', self.account]
        if container:
            parts.append(container)
            if obj is not None:
                parts.append(obj)
        return '/'.join(parts)

    def swift(self, method, container=None, obj=None, headers=None, body=None, query=None):
        """A Swift sub-request as the caller; returns the webob response."""
        sub = utils.subrequest(self.req.environ, method, self.path(container, obj),
                               headers=headers, body=body, query=query, source='s3')
        return sub.get_response(self.app)

    def check_bucket(self):
        resp = self.swift('HEAD', self.bucket)
        if resp.status_int == 404:
            raise S3Error('NoSuchBucket', BucketName=self.bucket)
        if resp.status_int // 100 != 2:
            raise from_status(resp.status_int, self.bucket)
        return resp


def from_status(status, bucket=None, key=None):
    from objectstore.s3.errors import from_swift
    return from_swift(status, bucket, key)


def xml_response(root_tag, children, status=200, headers=None):
    """XML body from nested (tag, value|list) pairs."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<%s xmlns="%s">' % (root_tag, XMLNS)]
    _render(children, out)
    out.append('</%s>' % root_tag)
    resp = webob.Response(status=status, content_type='application/xml', charset='UTF-8',
                          body=''.join(out).encode('utf-8'))
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def _render(children, out):
    for tag, value in children:
        if isinstance(value, list):
            out.append('<%s>' % tag)
            _render(value, out)
            out.append('</%s>' % tag)
        elif value is None:
            out.append('<%s/>' % tag)
        else:
            out.append('<%s>%s</%s>' % (tag, saxutils.escape(str(value)), tag))


def parse_xml(body, root_tag):
    """The root element of a request body; MalformedXML when it is not what S3 expects."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise S3Error('MalformedXML')
    if root.tag.split('}')[-1] != root_tag:
        raise S3Error('MalformedXML', 'Expected a %s document' % root_tag)
    return root


def children(elem, tag):
    return [c for c in elem if c.tag.split('}')[-1] == tag]


def child_text(elem, tag):
    found = children(elem, tag)
    return found[0].text if found else None


def iso_time(value):
    """ISO 8601 (S3 listings) from a Swift last_modified or an HTTP date."""
    if not value:
        return '1970-01-01T00:00:00.000Z'
    if value[:4].isdigit() and 'T' in value:
        return value[:23] + 'Z' if len(value) >= 23 else value.rstrip('Z') + '.000Z'
    try:
        parsed = email.utils.parsedate_to_datetime(value)
        return parsed.strftime('%Y-%m-%dT%H:%M:%S.000Z')
    except (TypeError, ValueError):
        return value


def http_date(iso):
    try:
        stamp = time.mktime(time.strptime(iso[:19], '%Y-%m-%dT%H:%M:%S')) - time.timezone
        return email.utils.formatdate(stamp, usegmt=True)
    except (TypeError, ValueError):
        return iso


def multipart_etag(etags):
    md5 = hashlib.md5()
    for etag in etags:
        md5.update(bytes.fromhex(etag))
    return '%s-%d' % (md5.hexdigest(), len(etags))
