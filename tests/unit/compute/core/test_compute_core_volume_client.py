"""compute.clients.VolumeClient (and ProxyClient, the proxy APIs' client) over real HTTP (a recording WSGI server): the user's
token with the service token, the acting project in the URL, the attachments
microversion, and errors as VolumeNotFound / VolumeError."""
import json
import threading
import wsgiref.simple_server

import pytest

import compute_core_fakes as fakes
from common import context as context_mod
from compute import clients


class _Quiet(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Recorder:
    def __init__(self):
        self.seen = []
        self.answers = {}

    def __call__(self, environ, start_response):
        length = int(environ.get('CONTENT_LENGTH') or 0)
        body = environ['wsgi.input'].read(length) if length else b''
        self.seen.append({'method': environ['REQUEST_METHOD'], 'path': environ['PATH_INFO'],
                          'token': environ.get('HTTP_X_AUTH_TOKEN'),
                          'service_token': environ.get('HTTP_X_SERVICE_TOKEN'),
                          'version': environ.get('HTTP_OPENSTACK_API_VERSION'),
                          'query': environ.get('QUERY_STRING'),
                          'content_type': environ.get('CONTENT_TYPE'),
                          'body': json.loads(body) if body else None})
        status, answer = self.answers.get((environ['REQUEST_METHOD'], environ['PATH_INFO']),
                                          ('404 Not Found', {'itemNotFound': {
                                              'message': 'no such thing', 'code': 404}}))
        data = json.dumps(answer).encode() if answer is not None else b''
        start_response(status, [('Content-Type', 'application/json'),
                                ('Content-Length', str(len(data)))])
        return [data]


class ServiceSession:
    """The service user's session as VolumeClient uses it (token and project only)."""

    def get_token(self):
        return 'service-token'

    def get_project_id(self):
        return 'service-project'

    def request(self, url, method, **kwargs):      # the no-user-token path
        from keystoneauth1 import session
        headers = dict(kwargs.pop('headers', {}) or {}, **{'X-Auth-Token': 'service-token'})
        return session.Session().request(url, method, headers=headers, **kwargs)


@pytest.fixture
def server():
    rec = Recorder()
    httpd = wsgiref.simple_server.make_server('127.0.0.1', 0, rec, handler_class=_Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    rec.url = 'http://127.0.0.1:%d/v3' % httpd.server_port
    yield rec
    httpd.shutdown()
    httpd.server_close()


def _client(conf, server, token='user-token'):
    conf.set_override('volume_endpoint', server.url, 'service_user')
    ctx = context_mod.RequestContext(user_id='u1', project_id='p1', roles=['member'],
                                     auth_token=token)
    return clients.VolumeClient(conf, ctx, session=ServiceSession())


def test_user_token_service_token_project_and_microversion(conf, server):
    server.answers[('POST', '/v3/p1/attachments')] = ('200 OK', {'attachment': {
        'id': 'a1', 'status': 'reserved', 'connection_info': {}}})
    server.answers[('POST', '/v3/p1/attachments/a1/action')] = ('204 No Content', None)
    api = _client(conf, server)
    att = api.attachment_create('v1', 's1')
    assert att['id'] == 'a1'
    api.attachment_complete('a1')
    first, second = server.seen
    assert first['token'] == 'user-token' and first['service_token'] == 'service-token'
    assert first['version'] == 'volume 3.44'
    assert first['body'] == {'attachment': {'volume_uuid': 'v1', 'instance_uuid': 's1',
                                            'mode': 'rw'}}
    assert second['body'] == {'os-complete': None}


def test_errors_are_typed_and_a_gone_attachment_is_fine(conf, server):
    api = _client(conf, server)
    with pytest.raises(clients.VolumeNotFound):
        api.get(fakes.IMAGE_ID)
    api.attachment_delete('gone')          # 404: already gone, nothing to do
    server.answers[('POST', '/v3/p1/attachments')] = ('400 Bad Request', {'badRequest': {
        'message': 'Invalid volume: in-use', 'code': 400}})
    with pytest.raises(clients.VolumeError) as info:
        api.attachment_create('v1', 's1', {'initiator': 'iqn.x', 'host': 'h'})
    assert info.value.status == 400 and 'in-use' in info.value.message


def test_without_a_user_token_it_acts_as_the_service_user(conf, server):
    server.answers[('GET', '/v3/service-project/volumes/v1')] = ('200 OK', {'volume': {
        'id': 'v1', 'status': 'available'}})
    api = _client(conf, server, token=None)
    assert api.get('v1')['status'] == 'available'
    assert server.seen[0]['token'] == 'service-token'
    assert server.seen[0]['service_token'] is None


def test_proxy_client_calls_with_the_users_token(conf, server):
    """ProxyClient: the caller's token (and the service token), the configured endpoint,
    query lists, its own Content-Type, and errors as BackendError with their status."""
    conf.set_override('image_endpoint', server.url, 'service_user')
    ctx = context_mod.RequestContext(user_id='u1', project_id='p1', roles=['member'],
                                     auth_token='user-token')
    api = clients.ProxyClient(conf, ctx, 'image', session=ServiceSession())
    assert api.endpoint() == server.url
    server.answers[('GET', '/v3/v2/images')] = ('200 OK', {'images': []})
    assert api.request('GET', '/v2/images', params={'id': ['a', 'b'], 'name': 'x'}) == {
        'images': []}
    seen = server.seen[-1]
    assert (seen['token'], seen['service_token']) == ('user-token', 'service-token')
    assert seen['query'] == 'id=a&id=b&name=x'
    server.answers[('PATCH', '/v3/v2/images/i1')] = ('200 OK', {'id': 'i1'})
    api.request('PATCH', '/v2/images/i1', body=[{'op': 'remove', 'path': '/k'}],
                headers={'Content-Type': 'application/openstack-images-v2.1-json-patch'})
    assert server.seen[-1]['content_type'] == 'application/openstack-images-v2.1-json-patch'
    assert server.seen[-1]['body'] == [{'op': 'remove', 'path': '/k'}]
    with pytest.raises(clients.BackendError) as err:
        api.request('DELETE', '/v2/images/missing')
    assert err.value.status == 404 and err.value.message == 'no such thing'
    anonymous = clients.ProxyClient(conf, context_mod.RequestContext(project_id='p1'),
                                    'image', session=ServiceSession())
    with pytest.raises(clients.BackendError) as err:
        anonymous.request('GET', '/v2/images')
    assert err.value.status == 401


def test_volume_proxy_lists_and_errors(conf, server):
    """VolumeProxy: block storage under the acting project, query strings, and its errors
    as BackendError with their status."""
    proxy = clients.VolumeProxy(_client(conf, server))
    server.answers[('GET', '/v3/p1/volumes/detail')] = ('200 OK', {'volumes': []})
    assert proxy.request('GET', '/volumes/detail', params={'limit': 2}) == {'volumes': []}
    assert server.seen[-1]['query'] == 'limit=2'
    assert server.seen[-1]['token'] == 'user-token'
    server.answers[('POST', '/v3/p1/volumes')] = ('413 Request Entity Too Large', {
        'overLimit': {'message': 'VolumeSizeExceedsAvailableQuota', 'code': 413}})
    with pytest.raises(clients.BackendError) as err:
        proxy.request('POST', '/volumes', body={'volume': {'size': 1}})
    assert (err.value.status, err.value.message) == (413, 'VolumeSizeExceedsAvailableQuota')
    with pytest.raises(clients.BackendError) as err:
        proxy.request('GET', '/volumes/missing')
    assert err.value.status == 404


def test_proxy_clients_share_one_service_session(conf, server, monkeypatch):
    """ServiceClients.proxy_api: one service user session for every request, and a
    service it cannot call at all is a 503."""
    made = []
    monkeypatch.setattr(clients, 'service_session',
                        lambda conf_: made.append(1) or ServiceSession())
    conf.set_override('network_endpoint', server.url, 'service_user')
    owner = clients.ServiceClients()
    owner.conf = conf
    ctx = context_mod.RequestContext(project_id='p1', auth_token='user-token')
    server.answers[('GET', '/v3/v2.0/networks')] = ('200 OK', {'networks': []})
    for _ in range(3):
        assert owner.proxy_api(ctx, 'network').request('GET', '/v2.0/networks') == {
            'networks': []}
    assert made == [1]
    conf.set_override('network_endpoint', None, 'service_user')

    class NoCatalog(ServiceSession):
        def get_endpoint(self, **kwargs):
            return None
    owner._proxy_session = NoCatalog()
    with pytest.raises(clients.BackendError) as err:
        owner.proxy_api(ctx, 'network').request('GET', '/v2.0/networks')
    assert err.value.status == 503
