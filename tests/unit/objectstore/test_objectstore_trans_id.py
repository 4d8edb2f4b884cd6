"""The proxy's transaction ids have Swift's form, tx<21 hex>-<10 hex> (clients and tempest
check it), in X-Trans-Id and X-Openstack-Request-Id alike."""
import re

import webob

from objectstore.proxy.middleware import trans_id

TX = re.compile(r'^tx[0-9a-f]{21}-[0-9a-f]{10}$')


def test_trans_id_form_and_time():
    tx = trans_id.new_trans_id(now=0x65000000)
    assert TX.match(tx) and tx.endswith('-0065000000')
    assert trans_id.new_trans_id() != trans_id.new_trans_id()


def test_middleware_sets_both_headers_to_the_trans_id():
    seen = {}

    def app(environ, start_response):
        seen['id'] = environ['openstack.request_id']
        start_response('204 No Content', [('X-Trans-Id', 'from-backend')])
        return [b'']

    mw = trans_id.TransId.factory({}, header='X-Trans-Id')(app)
    resp = webob.Request.blank('/v1/AUTH_a').get_response(mw)
    assert TX.match(resp.headers['X-Trans-Id'])
    assert resp.headers['X-Trans-Id'] == resp.headers['X-Openstack-Request-Id'] == seen['id']
    assert resp.headers.getall('X-Trans-Id') == [seen['id']]
