"""The skeleton's parts one by one: state registry and schema rule, manage CLI, drivers,
RPC API base and ManagerService, version filter, microversions, list queries, clients."""
import os
import sys
import uuid

import eventlet
import pytest
import sqlalchemy as sa
import webob
from sqlalchemy import orm

from common import client
from common import config
from common import daemon
from common import drivers
from common import exceptions
from common import manage
from common import manager
from common import rpcapi
from common import service
from common import state
from common.db import query
from common.policy import RuleDefault
from common.rpc import exceptions as rpc_exc
from common.wsgi import microversion
from common.wsgi import versions


def make_package(tmp_path, name, migrations):
    """A throwaway importable package ``name.db.migrations`` with the given modules."""
    root = tmp_path / 'pkgs'
    mig = root / name / 'db' / 'migrations'
    mig.mkdir(parents=True)
    for part in (root / name, root / name / 'db', mig):
        (part / '__init__.py').write_text('')
    for filename, body in migrations.items():
        (mig / filename).write_text(body)
    sys.path.insert(0, str(root))
    return '%s.db.migrations' % name


CREATE = ('import sqlalchemy as sa\n'
          'def upgrade(conn):\n'
          '    conn.execute(sa.text("CREATE TABLE things (id VARCHAR(36) PRIMARY KEY)"))\n')
ADD = ('import sqlalchemy as sa\n'
       'def upgrade(conn):\n'
       '    conn.execute(sa.text("ALTER TABLE things ADD COLUMN name VARCHAR(20)"))\n')


@pytest.fixture
def svc(tmp_path):
    name = 'skel%s' % uuid.uuid4().hex[:8]
    package = make_package(tmp_path, name, {'001_things.py': CREATE})

    class ThingState(state.ServiceState):
        service = name
        policy_rules = [RuleDefault('%s:get' % name, 'role:reader')]
        migrations = package

    conf = config.ConfigOpts()
    daemon.register_api_opts(conf)
    conf.set_override('state_path', str(tmp_path))
    conf.set_override('transport_url', 'fake://%s' % name)
    conf.set_override('policy_file', str(tmp_path / 'none.yaml'), 'oslo_policy')
    yield ThingState, conf, tmp_path
    ThingState.forget(conf)


def test_state_is_one_per_conf_and_forget_closes_it(svc):
    cls, conf, _ = svc
    first = cls.get(conf)
    assert cls.get(conf) is first
    other = config.ConfigOpts()
    daemon.register_api_opts(other)
    assert cls.get(other) is not first
    cls.forget(other)
    assert cls.forget(conf) is first
    assert cls.get(conf) is not first


def test_state_builds_db_enforcer_transport_lazily(svc):
    cls, conf, tmp_path = svc
    st = cls.get(conf)
    assert not {'db', 'enforcer', 'transport'} & set(vars(st))
    assert st.db.url.endswith('%s.sqlite' % cls.service)
    assert '%s:get' % cls.service in st.enforcer.registered_rules
    assert st.transport is st.transport


def test_daemon_refuses_old_schema_naming_db_sync(svc):
    cls, conf, _ = svc
    st = cls.get(conf)
    with pytest.raises(state.SchemaOutdated) as err:
        st.check_schema()
    assert '%s-manage db-sync' % cls.service in str(err.value)
    assert st.sync_schema() == 1
    assert st.check_schema() == 1


def test_schema_newer_than_code_is_refused(svc):
    cls, conf, _ = svc
    st = cls.get(conf)
    st.sync_schema()
    with st.db.engine.begin() as conn:
        conn.execute(sa.text('UPDATE schema_version SET version = 5'))
    with pytest.raises(state.SchemaOutdated, match='newer than this code'):
        st.check_schema()


def test_reload_hooks_run_on_sighup_reload_and_stop_after_forget(svc):
    cls, conf, tmp_path = svc
    ini = tmp_path / 'skel.conf'
    ini.write_text('[DEFAULT]\ndebug = false\n')
    conf.load([str(ini)])
    seen = []
    cls.get(conf).add_reload_hook(lambda c: seen.append(c.debug))
    ini.write_text('[DEFAULT]\ndebug = true\n')
    conf.reload()
    assert seen == [True]
    cls.forget(conf)
    conf.reload()
    assert seen == [True]


def test_manage_db_sync_and_db_version(svc, capsys):
    cls, conf, tmp_path = svc
    ini = tmp_path / 'skel.conf'
    ini.write_text('[DEFAULT]\nstate_path = %s\n' % tmp_path)
    main = manage.build(cls, conf)
    assert main(['--config-file', str(ini), 'db-version']) == 0
    assert capsys.readouterr().out.strip() == '0'
    assert main(['--config-file', str(ini), 'db-sync']) == 0
    assert 'at version 1' in capsys.readouterr().out
    assert main(['--config-file', str(ini), 'db_version']) == 0  # the old spelling
    assert capsys.readouterr().out.strip() == '1'


def test_manage_reports_bad_config(svc, capsys):
    cls, conf, tmp_path = svc
    ini = tmp_path / 'bad.conf'
    ini.write_text('[DEFAULT]\nreport_interval = often\n')
    assert manage.build(cls, conf)(['--config-file', str(ini), 'db-sync']) == 2
    assert 'report_interval' in capsys.readouterr().err


def test_driver_loaded_by_name_and_unknown_name_is_a_config_error():
    table = {'ordered': 'collections:OrderedDict', 'deque': 'collections:deque'}
    assert drivers.create(table, 'deque', [1, 2]).pop() == 2
    with pytest.raises(config.ConfigError) as err:
        drivers.load(table, 'lvm', 'volume_driver')
    assert "volume_driver 'lvm'" in str(err.value) and 'deque, ordered' in str(err.value)


class EchoManager(manager.Manager):
    def __init__(self, conf, host):
        super().__init__(conf, host)
        self.ticks = 0
        self.started = self.cleaned = False

    def init_host(self):
        self.started = True

    def cleanup_host(self):
        self.cleaned = True

    def echo(self, ctx, value):
        return {'value': value, 'project': ctx.project_id, 'host': self.host}

    @service.periodic_task(spacing=0.05, run_immediately=True)
    def _tick(self):
        self.ticks += 1


class EchoAPI(rpcapi.RPCAPI):
    TOPIC = 'echo'
    EXCHANGE = 'skel'

    def echo(self, ctx, value, host=None):
        return self._call(ctx, 'echo', host=host, value=value)

    def echo_cast(self, ctx, value):
        self._cast(ctx, 'echo', value=value)

    def echo_all(self, ctx, value):
        self._fanout(ctx, 'echo', value=value)


def test_manager_service_serves_topic_and_host_and_runs_periodic_tasks():
    from common import rpc
    url = 'fake://echo-%s' % uuid.uuid4().hex
    conf = config.ConfigOpts()
    service.register_opts(conf)
    conf.set_override('transport_url', url)
    mgrs = [EchoManager(conf, 'host%d' % i) for i in (1, 2)]
    services = [manager.ManagerService(conf, m, 'echo', host=m.host, exchange='skel',
                                       executor='threading') for m in mgrs]
    for s in services:
        s.start()
    transport = rpc.get_transport(url)
    try:
        api = EchoAPI(transport, timeout=5)
        ctx = {'project_id': 'p1'}
        assert api.echo(ctx, 3)['value'] == 3
        assert api.echo(ctx, 4, host='host2') == {'value': 4, 'project': 'p1',
                                                  'host': 'host2'}
        api.echo_cast(ctx, 5)
        api.echo_all(ctx, 6)
        with pytest.raises(rpc_exc.RemoteError):
            api._call(ctx, 'init_host')  # life-cycle methods are not RPC methods
        eventlet.sleep(0.2)
        assert all(m.started and m.ticks >= 1 for m in mgrs)
        assert mgrs[0].target.server == 'host1' and mgrs[0].target.topic == 'echo'
    finally:
        for s in services:
            s.stop()
        for s in services:
            s.wait()
        transport.cleanup()
    assert all(m.cleaned for m in mgrs)


def test_rpcapi_needs_a_topic():
    with pytest.raises(TypeError):
        rpcapi.RPCAPI(object())


def _app(body):
    def app(environ, start_response):
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [body]
    return app


@pytest.mark.parametrize('paths,strip,path,expect', [
    (('/',), False, '/', b'versions'), (('/',), False, '', b'versions'),
    (('/',), False, '/v2.0', b'api'), (('/',), False, '/versions', b'api'),
    (('/', '/versions'), True, '/versions/', b'versions'),
    (('/', '/versions'), True, '/v2/images', b'api')])
def test_versions_filter_answers_discovery_before_the_rest(paths, strip, path, expect):
    factory = versions.filter_factory(lambda conf: _app(b'versions'), paths, strip)
    conf = config.ConfigOpts()
    filt = factory({'__conf__': conf})(_app(b'api'))
    assert webob.Request.blank(path).get_response(filt).body == expect


SPEC = microversion.Spec('compute', '2.1', '2.90', legacy_header='X-OpenStack-Nova-API-Version')


@pytest.mark.parametrize('headers,expect', [
    ({}, '2.1'), ({'OpenStack-API-Version': 'compute 2.47'}, '2.47'),
    ({'OpenStack-API-Version': 'compute latest'}, '2.90'),
    ({'OpenStack-API-Version': 'volume 3.5, compute 2.10'}, '2.10'),
    ({'OpenStack-API-Version': 'volume 3.5'}, '2.1'),
    ({'X-OpenStack-Nova-API-Version': '2.20'}, '2.20'),
    ({'OpenStack-API-Version': 'compute 2.3', 'X-OpenStack-Nova-API-Version': '2.20'}, '2.3')])
def test_microversion_negotiation(headers, expect):
    assert str(SPEC.negotiate(headers)) == expect


def test_microversion_out_of_range_is_406_and_malformed_is_400():
    with pytest.raises(exceptions.NotAcceptable, match='Minimum is 2.1 and maximum is 2.90'):
        SPEC.negotiate({'OpenStack-API-Version': 'compute 2.91'})
    with pytest.raises(exceptions.NotAcceptable):
        SPEC.negotiate({'OpenStack-API-Version': 'compute 2.0'})
    for bad in ('2', '2.01', 'x.y', '02.1'):
        with pytest.raises(exceptions.BadRequest, match='invalid format'):
            SPEC.negotiate({'OpenStack-API-Version': 'compute %s' % bad})


def test_microversion_middleware_sets_version_and_response_headers():
    from common.wsgi import faults
    seen = []

    def app(environ, start_response):
        seen.append(microversion.of(environ))
        start_response('200 OK', [('Vary', 'X-Auth-Token')])
        return [b'']
    wrapped = faults.FaultWrapper(microversion.Middleware(app, SPEC), style='nova')
    resp = webob.Request.blank('/', headers={'OpenStack-API-Version': 'compute 2.5'}
                               ).get_response(wrapped)
    assert seen == [(2, 5)] and seen[0] > (2, 4)
    assert resp.headers['OpenStack-API-Version'] == 'compute 2.5'
    assert resp.headers['X-OpenStack-Nova-API-Version'] == '2.5'
    assert resp.headers['Vary'] == ('X-Auth-Token, OpenStack-API-Version, '
                                    'X-OpenStack-Nova-API-Version')
    resp = webob.Request.blank('/', headers={'OpenStack-API-Version': 'compute 3.0'}
                               ).get_response(wrapped)
    assert resp.status_int == 406


Base = orm.declarative_base()


class Row(Base):
    __tablename__ = 'rows'
    id = sa.Column(sa.String(8), primary_key=True)
    name = sa.Column(sa.String(20))
    size = sa.Column(sa.Integer)
    shared = sa.Column(sa.Boolean)


FIELDS = {'name': query.Field(Row.name), 'size': query.Field(Row.size, 'int'),
          'shared': query.Field(Row.shared, 'bool')}


@pytest.fixture
def rows_db():
    from common.db import api as db_api
    db = db_api.Database('sqlite://')
    Base.metadata.create_all(db.engine)
    with db.session() as sess:
        for i in range(7):
            sess.add(Row(id='r%d' % i, name='n%d' % (i % 3), size=i, shared=i % 2 == 0))
    return db


def test_query_filters_sorts_and_pages_with_markers(rows_db):
    stmt = query.build(Row, FIELDS, None, {'shared': ['true']}, [('size', 'desc')], limit=2)
    rows, more = query.transaction(rows_db, lambda s: query.page(s, stmt, 2))
    assert [r.id for r in rows] == ['r6', 'r4'] and more
    stmt = query.build(Row, FIELDS, None, {'shared': ['true']}, [('size', 'desc')], limit=2,
                       marker=rows[-1])
    rows, more = query.transaction(rows_db, lambda s: query.page(s, stmt, 2))
    assert [r.id for r in rows] == ['r2', 'r0'] and not more


def test_query_errors_are_the_services_own_types(rows_db):
    class Invalid(exceptions.BadRequest):
        pass
    errors = query.Errors(invalid_input=Invalid)
    with pytest.raises(Invalid, match='not an attribute you can filter on'):
        query.build(Row, FIELDS, None, {'colour': ['red']}, [], errors=errors)
    with pytest.raises(Invalid, match='not a boolean'):
        query.build(Row, FIELDS, None, {'shared': ['maybe']}, [], errors=errors)
    with pytest.raises(exceptions.BadRequest, match='cannot be used to sort'):
        query.build(Row, FIELDS, None, {}, [('colour', 'asc')])


def test_transaction_reruns_a_lost_race_then_gives_up_with_conflict(rows_db):
    calls = []

    def lose_once(sess):
        calls.append(1)
        if len(calls) == 1:
            raise query.RetryRequest()
        return sess.execute(sa.select(sa.func.count()).select_from(Row)).scalar()
    assert query.transaction(rows_db, lose_once) == 7 and len(calls) == 2

    def always(sess):
        raise query.RetryRequest()
    with pytest.raises(exceptions.Conflict, match='lost a race'):
        query.transaction(rows_db, always, retries=3)


def test_service_session_from_a_config_group():
    conf = config.ConfigOpts()
    client.register_service_user_opts(conf, 'image')
    with pytest.raises(client.ClientError, match=r'\[image\] needs auth_url'):
        client.service_session(conf, 'image')
    conf.set_override('auth_url', 'http://127.0.0.1:5000', 'image')
    conf.set_override('username', 'glance', 'image')
    conf.set_override('password', 'secret', 'image')
    conf.set_override('endpoint_override', 'http://127.0.0.1:9292/', 'image')
    sess = client.service_session(conf, 'image', timeout=7)
    assert sess.auth.auth_url == 'http://127.0.0.1:5000/v3' and sess.timeout == 7
    images = client.ImageClient.from_conf(conf, 'image', session=sess)
    assert images.service_type == 'image' and images.endpoint() == 'http://127.0.0.1:9292'
    assert client.v3_url('http://x/v3/') == 'http://x/v3'


def test_query_pages_through_nulls_in_sort_keys(rows_db):
    with rows_db.session() as sess:
        for i in range(7, 11):
            sess.add(Row(id='r%d' % i, name=None, size=None, shared=True))
    seen, marker = [], None
    while True:
        stmt = query.build(Row, FIELDS, None, {}, [('name', 'asc'), ('size', 'desc')],
                           limit=3, marker=marker)
        rows, more = query.transaction(rows_db, lambda s: query.page(s, stmt, 3))
        seen += [r.id for r in rows]
        if not more:
            break
        marker = rows[-1]
    # NULL names first (ascending), all eleven rows exactly once.
    assert sorted(seen) == sorted('r%d' % i for i in range(11)) and len(seen) == 11
    assert set(seen[:4]) == {'r7', 'r8', 'r9', 'r10'}
