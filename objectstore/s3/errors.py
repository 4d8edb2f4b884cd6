"""S3 errors and their XML bodies."""
from xml.sax import saxutils

import webob

# code -> (HTTP status, default message)
ERRORS = {
    'AccessDenied': (403, 'Access Denied'),
    'BadDigest': (400, 'The Content-MD5 you specified did not match what we received.'),
    'BucketAlreadyExists': (409, 'The requested bucket name is not available.'),
    'BucketAlreadyOwnedByYou': (409, 'Your previous request to create the named bucket '
                                'succeeded and you already own it.'),
    'BucketNotEmpty': (409, 'The bucket you tried to delete is not empty'),
    'EntityTooLarge': (400, 'Your proposed upload exceeds the maximum allowed object size.'),
    'EntityTooSmall': (400, 'Your proposed upload is smaller than the minimum allowed '
                       'object size.'),
    'InternalError': (500, 'We encountered an internal error. Please try again.'),
    'InvalidAccessKeyId': (403, 'The AWS Access Key Id you provided does not exist in our '
                           'records.'),
    'InvalidArgument': (400, 'Invalid Argument'),
    'InvalidBucketName': (400, 'The specified bucket is not valid.'),
    'InvalidDigest': (400, 'The Content-MD5 you specified is not valid.'),
    'InvalidPart': (400, 'One or more of the specified parts could not be found.'),
    'InvalidPartOrder': (400, 'The list of parts was not in ascending order.'),
    'InvalidRange': (416, 'The requested range is not satisfiable'),
    'InvalidRequest': (400, 'Invalid Request'),
    'MalformedXML': (400, 'The XML you provided was not well-formed or did not validate '
                     'against our published schema.'),
    'MethodNotAllowed': (405, 'The specified method is not allowed against this resource.'),
    'MissingContentLength': (411, 'You must provide the Content-Length HTTP header.'),
    'NoSuchBucket': (404, 'The specified bucket does not exist'),
    'NoSuchKey': (404, 'The specified key does not exist.'),
    'NoSuchUpload': (404, 'The specified multipart upload does not exist.'),
    'NotImplemented': (501, 'A header you provided implies functionality that is not '
                       'implemented.'),
    'PreconditionFailed': (412, 'At least one of the preconditions you specified did not '
                           'hold.'),
    'QuotaExceeded': (403, 'Quota exceeded.'),
    'RequestTimeTooSkewed': (403, 'The difference between the request time and the '
                             'current time is too large.'),
    'ServiceUnavailable': (503, 'Please reduce your request rate.'),
    'SignatureDoesNotMatch': (403, 'The request signature we calculated does not match the '
                              'signature you provided. Check your key and signing method.'),
    'XAmzContentSHA256Mismatch': (400, 'The provided \'x-amz-content-sha256\' header does '
                                  'not match what was computed.'),
    'AuthorizationHeaderMalformed': (400, 'The authorization header is malformed.'),
    'AuthorizationQueryParametersError': (400, 'The presigned URL query is malformed.'),
    'IncompleteBody': (400, 'You did not provide the number of bytes specified by the '
                       'Content-Length HTTP header.'),
}


class S3Error(Exception):
    def __init__(self, code, message=None, status=None, **extra):
        default_status, default_message = ERRORS.get(code, (400, code))
        self.code = code
        self.status = status or default_status
        self.message = message or default_message
        self.extra = extra
        super().__init__('%s: %s' % (code, self.message))

    def response(self, req=None):
        parts = ['<?xml version="1.0" encoding="UTF-8"?>', '<Error>',
                 '<Code>%s</Code>' % self.code,
                 '<Message>%s</Message>' % saxutils.escape(self.message)]
        for key, value in self.extra.items():
            parts.append('<%s>%s</%s>' % (key, saxutils.escape(str(value)), key))
        if req is not None:
            parts.append('<RequestId>%s</RequestId>' % saxutils.escape(
                req.environ.get('openstack.request_id', '')))
        parts.append('</Error>')
        resp = webob.Response(status=self.status, content_type='application/xml',
                              charset='UTF-8')
        if req is None or req.method != 'HEAD':
            resp.body = ''.join(parts).encode('utf-8')
        return resp


def from_swift(status, bucket=None, key=None):
    """The S3Error for a Swift status code of an object or bucket request."""
    if status == 401 or status == 403:
        return S3Error('AccessDenied')
    if status == 404:
        return S3Error('NoSuchKey', Key=key) if key else S3Error('NoSuchBucket',
                                                                  BucketName=bucket)
    if status == 409:
        return S3Error('BucketNotEmpty', BucketName=bucket)
    if status == 411:
        return S3Error('MissingContentLength')
    if status == 412:
        return S3Error('PreconditionFailed')
    if status == 413:
        return S3Error('EntityTooLarge')
    if status == 416:
        return S3Error('InvalidRange')
    if status == 422:
        return S3Error('BadDigest')
    if status == 400:
        return S3Error('InvalidRequest')
    if status == 503:
        return S3Error('ServiceUnavailable')
    return S3Error('InternalError')
