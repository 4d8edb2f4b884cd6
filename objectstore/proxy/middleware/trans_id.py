"""The proxy's request id in Swift's transaction-id form, ``tx<21 hex>-<10 hex>``.

Swift clients and tempest read X-Trans-Id (and X-Openstack-Request-Id, the same value) in
this form: 21 random hex digits, then the request's start time in seconds as 10 hex digits.
"""
import time
import uuid

from common.wsgi import middleware


def new_trans_id(now=None):
    return 'tx%s-%010x' % (uuid.uuid4().hex[:21], int(time.time() if now is None else now))


class TransId(middleware.RequestId):
    """RequestId (access line, id headers) with Swift's transaction ids."""

    @staticmethod
    def new_id():
        return new_trans_id()
