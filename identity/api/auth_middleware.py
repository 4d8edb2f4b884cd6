"""Identity's own token middleware: it validates X-Auth-Token with its keys and database
(no HTTP round trip), and lets unauthenticated requests through for the calls that need
no token (issuing a token, version discovery, public keys); controllers demand one."""
import logging
import urllib.parse

import webob.dec

from common import config
from common import exceptions
from common.auth import headers as auth_headers
from common.wsgi import faults
from identity.state import IdentityState

LOG = logging.getLogger(__name__)


class IdentityAuth:
    def __init__(self, app, state):
        self.app = app
        self.state = state

    @classmethod
    def factory(cls, global_conf, **_local):
        conf = config.from_paste(global_conf)

        def _filter(app):
            return cls(app, IdentityState.get(conf))
        return _filter

    @webob.dec.wsgify
    def __call__(self, req):
        if not _query_is_utf8(req.environ.get('QUERY_STRING', '')):
            # refused here, before a controller's req.GET would fail to decode it
            return faults.render('keystone', 400, 'Bad Request',
                                 'The query string is not valid UTF-8.')
        auth_headers.remove_identity_headers(req)
        token = req.headers.get('X-Auth-Token')
        if token:
            try:
                claims = self.state.store.validate_token(token)
            except exceptions.NotFound as exc:
                LOG.info('rejected X-Auth-Token: %s', exc.message)
                resp = faults.render('keystone', 401, 'Unauthorized',
                                     'The request you have made requires authentication.')
                resp.headers['WWW-Authenticate'] = 'Keystone uri="%s"' % req.host_url
                return resp
            auth_headers.set_identity_headers(req, claims)
            req.environ['identity.token_claims'] = claims
        return req.get_response(self.app)


def _query_is_utf8(query):
    try:
        urllib.parse.unquote_to_bytes(query.encode('latin-1')).decode('utf-8')
    except UnicodeError:
        return False
    return True
