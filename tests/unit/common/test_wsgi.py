"""Routing, fault bodies per API style, request ids and the access log, JSON and schemas."""
import json
import logging

import pytest
import webob

from common import exceptions
from common import validation
from common.wsgi import faults
from common.wsgi import middleware
from common.wsgi import response
from common.wsgi import router


class Things:
    def index(self, req):
        return {'things': []}

    def create(self, req):
        body = response.json_body(req)
        validation.validate({'type': 'object', 'required': ['thing'], 'properties': {
            'thing': {'type': 'object', 'required': ['name'],
                      'properties': {'name': validation.name(8)}}}}, body)
        return response.json_response(body, status=201)

    def show(self, req, thing_id):
        if thing_id == 'boom':
            raise RuntimeError('secret internals')
        raise exceptions.NotFound('Could not find thing: %s.' % thing_id)

    def delete(self, req, thing_id):
        return None


def make_app(style):
    r = router.Router()
    ctrl = Things()
    r.add('/things', ctrl, {'GET': 'index', 'POST': 'create'})
    r.add('/things/{thing_id}', ctrl, {'GET': 'show', 'DELETE': 'delete'})
    return middleware.RequestId(faults.FaultWrapper(r.finalize(), style=style))


def call(app, method, path, body=None):
    req = webob.Request.blank(path, method=method)
    if body is not None:
        req.body = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        req.content_type = 'application/json'
    return req.get_response(app)


def test_dispatch_and_204():
    app = make_app('keystone')
    assert call(app, 'GET', '/things').json == {'things': []}
    assert call(app, 'DELETE', '/things/1').status_int == 204
    assert call(app, 'HEAD', '/things').status_int == 200


def test_405_lists_allowed_methods_and_404_unknown_path():
    app = make_app('keystone')
    resp = call(app, 'PUT', '/things')
    assert resp.status_int == 405 and resp.headers['Allow'] == 'GET, HEAD, POST'
    assert call(app, 'GET', '/nothing').status_int == 404


@pytest.mark.parametrize('style, check', [
    ('keystone', lambda b: b['error']['code'] == 404 and 'thing: x' in b['error']['message']),
    ('nova', lambda b: b['itemNotFound']['code'] == 404),
    ('neutron', lambda b: b['NeutronError']['type'] == 'NotFound'),
])
def test_fault_styles(style, check):
    resp = call(make_app(style), 'GET', '/things/x')
    assert resp.status_int == 404 and check(resp.json)


def test_unexpected_errors_are_500_without_internals(caplog):
    resp = call(make_app('keystone'), 'GET', '/things/boom')
    assert resp.status_int == 500
    assert 'secret internals' not in resp.text


@pytest.mark.parametrize('body, status, words', [
    ('{not json', 400, 'Malformed JSON'),
    ('[1, 2]', 400, 'must be a JSON object'),
    ({}, 400, "Missing required field 'thing'"),
    ({'thing': {}}, 400, "Missing required field 'name' in thing"),
    ({'thing': {'name': 5}}, 400, "field 'thing/name'"),
    ({'thing': {'name': 'much-too-long'}}, 400, "field 'thing/name'"),
])
def test_bad_bodies_are_400_naming_the_field(body, status, words):
    resp = call(make_app('keystone'), 'POST', '/things', body)
    assert resp.status_int == status and words in resp.json['error']['message']


def test_request_id_header_and_access_log(caplog):
    caplog.set_level(logging.INFO, logger='access')
    resp = call(make_app('keystone'), 'GET', '/things')
    req_id = resp.headers['X-OpenStack-Request-Id']
    assert req_id.startswith('req-')
    resp.app_iter.close() if hasattr(resp.app_iter, 'close') else None
    assert any(req_id in r.getMessage() and '"GET /things"' in r.getMessage() and
               'status=200' in r.getMessage() for r in caplog.records)


def test_context_from_headers_only_when_confirmed():
    req = webob.Request.blank('/', headers={'X-User-Id': 'u', 'X-Roles': 'admin,member'})
    assert middleware.context_from_headers(req).user_id is None
    req.headers['X-Identity-Status'] = 'Confirmed'
    ctx = middleware.context_from_headers(req)
    assert ctx.user_id == 'u' and ctx.roles == ['admin', 'member'] and ctx.is_admin


def test_a_failed_dependency_answers_503_naming_it_a_refusal_stays_a_bug():
    """An API whose call to another service fails (that service restarting, say) answers
    503 with the dependency's message, so the client knows to retry; a 4xx from the other
    service that no controller handled is a bug of ours and answers the generic 500."""
    import webob.dec

    from common import client

    def failing(status, message):
        @webob.dec.wsgify
        def app(req):
            raise client.ClientError(status, message)
        return middleware.RequestId(faults.FaultWrapper(app, style='nova'))

    resp = call(failing(503, 'Cannot reach http://127.0.0.1:9696/v2.0/ports'), 'GET', '/x')
    assert resp.status_int == 503
    assert 'Cannot reach http://127.0.0.1:9696' in resp.json['serviceUnavailable']['message']
    resp = call(failing(400, 'Invalid input for fixed_ips'), 'GET', '/x')
    assert resp.status_int == 500
    assert 'fixed_ips' not in resp.text


def test_an_api_port_is_never_shared_with_another_process():
    """A second daemon (or a restarted one while its predecessor's workers drain) cannot
    bind a port an API already listens on: no SO_REUSEPORT, so the kernel never hands
    connections to a socket that is about to close."""
    import errno
    import socket

    from common.testing import daemons
    from common.wsgi import server
    # A fixed port: on port 0 eventlet would leave SO_REUSEPORT off anyway.
    sock = server.bind('127.0.0.1', daemons.free_port())
    try:
        other = socket.socket()
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            with pytest.raises(OSError) as err:
                other.bind(sock.getsockname())
            assert err.value.errno == errno.EADDRINUSE
        finally:
            other.close()
    finally:
        sock.close()
