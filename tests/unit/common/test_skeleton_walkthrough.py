"""doc/developing.md's "Make a new service", followed literally: the toy service in
common/testing/toy (defined only through the skeleton) migrates with toy-manage, refuses
to start before that, serves an authenticated, policy-checked, paged list from its own
database, and answers an RPC call from its worker."""
import json
import os
import uuid

import eventlet
import pytest
import webob

from common import config
from common import daemon
from common import heartbeat
from common.rpc import fake as rpc_fake
from common.testing import tokens
from common.testing.toy import cmd as toy_cmd
from common.testing.toy import conf as toy_conf
from common.testing.toy import manage as toy_manage
from common.testing.toy import rpcapi as toy_rpcapi
from common.testing.toy.db import models
from common.testing.toy.state import ToyState
from common.wsgi import server as wsgi_server

PASTE = os.path.join(os.path.dirname(toy_conf.__file__), 'api-paste.ini')


@pytest.fixture
def token_source(tmp_path):
    source = tokens.TokenSource(str(tmp_path / 'tokens'))
    yield source
    source.close()


@pytest.fixture
def toy(tmp_path, token_source):
    """The config file an operator writes, and the ConfigOpts of one toy process."""
    ini = tmp_path / 'toy.conf'
    ini.write_text('[DEFAULT]\nstate_path = %s\ntransport_url = fake://toy-%s\n'
                   '[keystone_authtoken]\nwww_authenticate_uri = %s\nrevocation_push = false\n'
                   '[oslo_policy]\npolicy_file = %s\n'
                   '[toy]\npagination_max_limit = 3\n'
                   % (tmp_path, uuid.uuid4().hex, token_source.url, tmp_path / 'policy.yaml'))
    conf = config.ConfigOpts()
    toy_conf.register(conf)
    conf.load([str(ini)])
    yield conf, str(ini)
    ToyState.forget(conf)
    ToyState.forget(toy_conf.CONF)  # toy-manage's own, loaded from this test's file
    rpc_fake.reset()


def call(app, method, path, token=None, body=None):
    req = webob.Request.blank(path, method=method)
    if token:
        req.headers['X-Auth-Token'] = token
    if body is not None:
        req.body = json.dumps(body).encode()
        req.content_type = 'application/json'
    resp = req.get_response(app)
    return resp.status_int, (json.loads(resp.body) if resp.body else None)


def test_daemon_refuses_to_start_before_db_sync(toy, capsys):
    conf, ini = toy
    with pytest.raises(SystemExit) as exit_:
        daemon.check_schema(conf, ToyState)
    assert exit_.value.code == 2
    assert 'run "toy-manage db-sync"' in capsys.readouterr().err
    toy_manage.main(['--config-file', ini, 'db-sync'])
    daemon.check_schema(conf, ToyState)


def test_walkthrough_service_serves_a_paged_list_and_answers_rpc(toy, token_source):
    conf, ini = toy
    toy_manage.main(['--config-file', ini, 'db-sync'])
    app = wsgi_server.load_paste_app(PASTE, conf=conf)

    # Version discovery answers without a token; the API does not.
    assert call(app, 'GET', '/')[0] == 200
    assert call(app, 'GET', '/v1/widgets')[0] == 401

    alice = token_source.token('alice')
    for i in range(5):
        status, body = call(app, 'POST', '/v1/widgets', alice,
                            {'widget': {'name': 'w%d' % i, 'size': i}})
        assert status == 201, body
    call(app, 'POST', '/v1/widgets', token_source.token('bob'), {'widget': {'name': 'b'}})

    # Paged (max limit 3), sorted, filtered, and only the caller's project.
    status, body = call(app, 'GET', '/v1/widgets?sort_key=size&sort_dir=desc', alice)
    assert status == 200
    assert [w['name'] for w in body['widgets']] == ['w4', 'w3', 'w2']
    next_href = body['widgets_links'][0]['href']
    assert body['widgets_links'][0]['rel'] == 'next' and 'marker=' in next_href
    status, body = call(app, 'GET', next_href[next_href.index('/v1'):], alice)
    assert [w['name'] for w in body['widgets']] == ['w1', 'w0']
    assert call(app, 'GET', '/v1/widgets?name=w2', alice)[1]['widgets'][0]['size'] == 2
    assert call(app, 'GET', '/v1/widgets?size=x', alice)[0] == 400
    assert call(app, 'POST', '/v1/widgets', alice, {'widget': {'nom': 'x'}})[0] == 400

    # Policy: a reader may list but not create.
    reader = token_source.token('alice', roles=('reader',))
    assert call(app, 'GET', '/v1/widgets', reader)[0] == 200
    assert call(app, 'POST', '/v1/widgets', reader, {'widget': {'name': 'x'}})[0] == 403

    # The worker answers over RPC (in-memory transport) and writes its heartbeat.
    # Unit tests run without eventlet's monkey patching: a thread pool serves the RPC.
    worker = toy_cmd.worker_services(conf, executor='threading')[0]
    worker.start()
    try:
        api = toy_rpcapi.ToyAPI(ToyState.get(conf).transport, timeout=10)
        assert api.count_widgets({'project_id': 'alice'}, 'alice') == 5
        assert api.count_widgets({}, 'bob', host=conf.host) == 1
        eventlet.sleep(0.2)
        rows = heartbeat.list_services(ToyState.get(conf).db, models.SERVICES, 60)
        assert [(r['binary'], r['alive']) for r in rows] == [('toy-worker', True)]
    finally:
        worker.stop()
        worker.wait()
