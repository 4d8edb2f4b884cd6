"""Unit tests of common.rpc on the in-memory FakeTransport."""

import datetime
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest

from common import rpc
from common.rpc import executors
from common.rpc import fake

pytestmark = pytest.mark.timeout(30)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))


def wait_for(predicate, timeout=5.0, interval=0.01):
    """Poll ``predicate`` until true; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('condition not met within %ss' % timeout)
        time.sleep(interval)


class Recorder:
    """Endpoint recording what it was called with."""

    def __init__(self, name='server'):
        self.name = name
        self.calls = []
        self.lock = threading.Lock()

    def _record(self, *item):
        with self.lock:
            self.calls.append(item)

    def add(self, ctxt, a, b):
        return a + b

    def whoami(self, ctxt):
        return self.name

    def record(self, ctxt, value):
        self._record('record', value)

    def echo_context(self, ctxt):
        return ctxt if isinstance(ctxt, dict) else ctxt.to_dict()

    def context_type(self, ctxt):
        return type(ctxt).__name__

    def fail(self, ctxt, message):
        raise ValueError(message)

    def fail_cast(self, ctxt):
        raise RuntimeError('cast failed on purpose')

    def sleep(self, ctxt, seconds, tag=None):
        time.sleep(seconds)
        self._record('slept', tag)
        return tag

    def give_datetime(self, ctxt):
        return datetime.datetime(2024, 5, 6, 7, 8, 9)

    def echo(self, ctxt, value):
        return value

    def give_unserialisable(self, ctxt):
        return object()

    def _private(self, ctxt):
        return 'secret'

    def values(self):
        with self.lock:
            return [item[1] for item in self.calls]


class Ctx:
    """A request context like common.context.RequestContext."""

    def __init__(self, user_id, project_id):
        self.user_id = user_id
        self.project_id = project_id

    def to_dict(self):
        return {'user_id': self.user_id, 'project_id': self.project_id}

    @classmethod
    def from_dict(cls, values):
        return cls(values['user_id'], values['project_id'])


@pytest.fixture
def transport():
    # A unique URL gives each test its own bus: queued messages of one
    # test can never reach another.
    t = rpc.get_transport('fake://test-%s' % uuid.uuid4().hex)
    yield t
    t.cleanup()


@pytest.fixture
def start_server(transport):
    servers = []

    def start(endpoint, server='host1', topic='topic', exchange='test',
              **kwargs):
        s = rpc.get_rpc_server(transport, topic=topic, server=server,
                               endpoints=[endpoint], exchange=exchange,
                               **kwargs)
        s.start()
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()
    for s in servers:
        s.wait()


def client_for(transport, timeout=5, **kwargs):
    return rpc.RPCClient(transport, topic='topic', exchange='test',
                         timeout=timeout, **kwargs)


def test_get_transport_fake_is_fake_transport(transport):
    assert isinstance(transport, rpc.FakeTransport)


def test_same_fake_url_shares_one_bus(start_server):
    url = 'fake://shared-%s' % uuid.uuid4().hex
    server_side, client_side = rpc.get_transport(url), rpc.get_transport(url)
    s = rpc.get_rpc_server(server_side, 'topic', 'host1', [Recorder()],
                           exchange='test')
    s.start()
    try:
        assert client_for(client_side).call({}, 'add', a=1, b=2) == 3
    finally:
        s.stop()
        s.wait()


def test_unknown_scheme_is_rejected():
    with pytest.raises(rpc.InvalidTransportURL):
        rpc.get_transport('kafka://somewhere')


def test_call_returns_result(transport, start_server):
    start_server(Recorder())
    assert client_for(transport).call({}, 'add', a=2, b=40) == 42


def test_call_kwarg_named_method_is_allowed(transport, start_server):
    # ``method`` is positional-only in call/cast, so it can be an argument.
    start_server(Recorder())
    assert client_for(transport).call({}, 'echo', value='x') == 'x'


def test_cast_is_handled_once_by_one_of_the_servers(transport, start_server):
    a, b = Recorder('a'), Recorder('b')
    start_server(a, server='host-a')
    start_server(b, server='host-b')
    client = client_for(transport)
    for i in range(50):
        client.cast({}, 'record', value=i)
    wait_for(lambda: len(a.values()) + len(b.values()) == 50)
    time.sleep(0.1)  # nothing more may arrive: each cast exactly once
    assert sorted(a.values() + b.values()) == list(range(50))


def test_cast_sent_before_any_server_is_kept(transport, start_server):
    client_for(transport).cast({}, 'record', value='early')
    endpoint = Recorder()
    start_server(endpoint)
    wait_for(lambda: endpoint.values() == ['early'])


def test_fanout_reaches_every_server(transport, start_server):
    endpoints = [Recorder(str(i)) for i in range(3)]
    for i, endpoint in enumerate(endpoints):
        start_server(endpoint, server='host%d' % i)
    client_for(transport).prepare(fanout=True).cast({}, 'record', value='all')
    wait_for(lambda: all(e.values() == ['all'] for e in endpoints))


def test_fanout_is_not_kept_for_absent_servers(transport, start_server):
    client_for(transport).prepare(fanout=True).cast({}, 'record', value=1)
    endpoint = Recorder()
    start_server(endpoint)
    client_for(transport).cast({}, 'record', value=2)
    wait_for(lambda: endpoint.values() == [2])


def test_call_with_fanout_is_rejected(transport):
    with pytest.raises(rpc.InvalidTarget):
        client_for(transport).prepare(fanout=True).call({}, 'add', a=1, b=1)


def test_prepare_server_targets_one_server(transport, start_server):
    start_server(Recorder('one'), server='host1')
    start_server(Recorder('two'), server='host2')
    client = client_for(transport)
    for _ in range(10):
        assert client.prepare(server='host2').call({}, 'whoami') == 'two'
        assert client.prepare(server='host1').call({}, 'whoami') == 'one'


def test_prepare_does_not_change_original(transport):
    client = client_for(transport, timeout=7)
    other = client.prepare(server='h', timeout=1, fanout=True)
    assert (client.target.server, client.target.fanout, client.timeout) == \
        (None, False, 7)
    assert (other.target.server, other.target.fanout, other.timeout) == \
        ('h', True, 1)


def test_remote_exception_is_reraised_as_remote_error(transport,
                                                      start_server):
    start_server(Recorder())
    with pytest.raises(rpc.RemoteError) as info:
        client_for(transport).call({}, 'fail', message='it broke')
    assert info.value.exc_type == 'ValueError'
    assert info.value.message == 'it broke'
    assert 'ValueError: it broke' in info.value.traceback


@pytest.mark.parametrize('method', ['missing', '_private', '__init__'])
def test_unknown_or_private_method_is_no_such_method(
        transport, start_server, method):
    start_server(Recorder())
    with pytest.raises(rpc.RemoteError) as info:
        client_for(transport).call({}, method)
    assert info.value.exc_type == 'NoSuchMethod'


def test_bad_arguments_are_a_remote_type_error(transport, start_server):
    start_server(Recorder())
    with pytest.raises(rpc.RemoteError) as info:
        client_for(transport).call({}, 'add', a=1)
    assert info.value.exc_type == 'TypeError'


def test_failing_cast_does_not_stop_the_server(transport, start_server):
    start_server(Recorder())
    client = client_for(transport)
    client.cast({}, 'fail_cast')
    assert client.call({}, 'add', a=1, b=1) == 2


def test_call_without_server_times_out(transport):
    started = time.monotonic()
    with pytest.raises(rpc.MessagingTimeout):
        client_for(transport, timeout=0.3).call({}, 'add', a=1, b=1)
    assert 0.25 <= time.monotonic() - started < 2


def test_late_reply_is_dropped_and_next_call_unaffected(transport,
                                                        start_server):
    start_server(Recorder())
    client = client_for(transport)
    with pytest.raises(rpc.MessagingTimeout):
        client.prepare(timeout=0.2).call({}, 'sleep', seconds=0.5, tag='late')
    # The late reply to the first call must not be taken as this one's.
    assert client.call({}, 'sleep', seconds=0.6, tag='second') == 'second'


def test_expired_call_is_not_run(transport, start_server):
    with pytest.raises(rpc.MessagingTimeout):
        client_for(transport, timeout=0.1).call({}, 'record', value='stale')
    endpoint = Recorder()
    start_server(endpoint)
    client_for(transport).cast({}, 'record', value='fresh')
    wait_for(lambda: endpoint.values() == ['fresh'])


def test_dict_context_travels(transport, start_server):
    start_server(Recorder())
    ctxt = {'user_id': 'u1', 'project_id': 'p1', 'roles': ['admin']}
    assert client_for(transport).call(ctxt, 'echo_context') == ctxt


def test_to_dict_context_rebuilt_by_context_factory(transport, start_server):
    start_server(Recorder(), context_factory=Ctx.from_dict)
    client = client_for(transport)
    assert client.call(Ctx('u2', 'p2'), 'context_type') == 'Ctx'
    assert client.call(Ctx('u2', 'p2'), 'echo_context') == {
        'user_id': 'u2', 'project_id': 'p2'}


def test_default_context_is_a_plain_dict(transport, start_server):
    start_server(Recorder())
    assert client_for(transport).call(None, 'context_type') == 'dict'


def test_bad_context_is_rejected(transport):
    with pytest.raises(TypeError):
        client_for(transport).cast(object(), 'record', value=1)


def test_datetime_travels_as_iso_string(transport, start_server):
    start_server(Recorder())
    client = client_for(transport)
    assert client.call({}, 'give_datetime') == '2024-05-06T07:08:09'
    when = datetime.datetime(2020, 1, 2, 3, 4, 5)
    assert client.call({}, 'echo', value=when) == '2020-01-02T03:04:05'


def test_unserialisable_argument_fails_at_the_caller(transport):
    with pytest.raises(TypeError):
        client_for(transport).cast({}, 'echo', value=object())


def test_unserialisable_result_is_a_remote_error(transport, start_server):
    start_server(Recorder())
    with pytest.raises(rpc.RemoteError) as info:
        client_for(transport).call({}, 'give_unserialisable')
    assert info.value.exc_type == 'TypeError'


def test_message_carries_version_method_args_context(transport):
    seen = []
    done = threading.Event()

    def handler(request):
        seen.append(request)
        done.set()

    target = rpc.Target(exchange='test', topic='topic', server='h')
    listener = transport.listen(target, handler,
                                executors.get_executor('threading', 2))
    listener.start()
    try:
        client_for(transport, version='1.3').cast({'a': 1}, 'record', value=5)
        assert done.wait(5)
    finally:
        listener.stop()
        listener.wait()
    assert seen == [{'version': '1.3', 'method': 'record',
                     'args': {'value': 5}, 'context': {'a': 1}}]


def test_stop_then_wait_lets_inflight_handlers_finish(transport,
                                                      start_server):
    endpoint = Recorder()
    server = start_server(endpoint)
    client_for(transport).cast({}, 'sleep', seconds=0.5, tag='inflight')
    wait_for(lambda: server._listener._inflight.count == 1)
    server.stop()
    client_for(transport).cast({}, 'record', value='after-stop')
    server.wait()
    assert endpoint.values() == ['inflight']
    # The cast sent after stop() stays queued for the next server.
    other = Recorder()
    start_server(other, server='host2')
    wait_for(lambda: other.values() == ['after-stop'])


def test_server_can_restart_after_wait(transport, start_server):
    server = start_server(Recorder())
    server.stop()
    server.wait()
    server.start()
    assert client_for(transport).call({}, 'add', a=3, b=4) == 7


def test_unknown_executor_is_rejected(transport):
    with pytest.raises(ValueError):
        rpc.get_rpc_server(transport, 'topic', 'h', [Recorder()],
                           executor='processes')


def test_broadcast_reaches_every_subscriber(transport):
    got = {1: [], 2: []}
    subs = [rpc.FanoutSubscriber(transport, 'revocations', got[i].append)
            for i in (1, 2)]
    for sub in subs:
        sub.start()
    try:
        rpc.FanoutPublisher(transport, 'revocations').publish({'token': 'x'})
        wait_for(lambda: got[1] == got[2] == [{'token': 'x'}])
    finally:
        subs[0].stop()
    rpc.FanoutPublisher(transport, 'revocations').publish({'token': 'y'})
    wait_for(lambda: got[2] == [{'token': 'x'}, {'token': 'y'}])
    subs[1].stop()
    assert got[1] == [{'token': 'x'}]


def test_failing_subscriber_callback_keeps_subscription(transport):
    got = []

    def callback(message):
        if message['n'] == 0:
            raise RuntimeError('boom')
        got.append(message['n'])

    sub = rpc.FanoutSubscriber(transport, 'events', callback)
    sub.start()
    try:
        publisher = rpc.FanoutPublisher(transport, 'events')
        publisher.publish({'n': 0})
        publisher.publish({'n': 1})
        wait_for(lambda: got == [1])
    finally:
        sub.stop()


def test_broadcast_rejects_non_dict(transport):
    with pytest.raises(TypeError):
        rpc.FanoutPublisher(transport, 'events').publish(['not', 'a', 'dict'])


def test_notifier_publishes_event(transport):
    got = []
    sub = rpc.FanoutSubscriber(transport, 'notifications', got.append)
    sub.start()
    try:
        rpc.Notifier(transport, 'notifications', 'compute.host1').info(
            {'user_id': 'u'}, 'instance.create.end', {'id': 'i-1'})
        wait_for(lambda: len(got) == 1)
    finally:
        sub.stop()
    event = got[0]
    assert event['event_type'] == 'instance.create.end'
    assert event['payload'] == {'id': 'i-1'}
    assert event['priority'] == 'INFO'
    assert event['publisher_id'] == 'compute.host1'
    assert event['context'] == {'user_id': 'u'}
    assert isinstance(event['timestamp'], str)


def test_reset_forgets_queued_messages():
    url = 'fake://reset-%s' % uuid.uuid4().hex
    client_for(rpc.get_transport(url)).cast({}, 'record', value=1)
    fake.reset()
    endpoint = Recorder()
    s = rpc.get_rpc_server(rpc.get_transport(url), 'topic', 'h', [endpoint],
                           exchange='test')
    s.start()
    try:
        assert client_for(rpc.get_transport(url)).call(
            {}, 'echo', value='ok') == 'ok'
        assert endpoint.values() == []
    finally:
        s.stop()
        s.wait()


def test_eventlet_executor_under_monkey_patching():
    # Monkey patching is process-wide, so it runs in a child process.
    script = textwrap.dedent('''
        import eventlet
        eventlet.monkey_patch()
        import time
        from common import rpc

        class Endpoint:
            def __init__(self):
                self.casts = []
            def add(self, ctxt, a, b):
                eventlet.sleep(0.01)
                return a + b
            def record(self, ctxt, value):
                self.casts.append(value)

        transport = rpc.get_transport('fake://eventlet')
        endpoint = Endpoint()
        server = rpc.get_rpc_server(transport, 'topic', 'h', [endpoint],
                                    exchange='test', executor='eventlet')
        server.start()
        client = rpc.RPCClient(transport, 'topic', exchange='test', timeout=5)
        pool = eventlet.GreenPool()
        results = list(pool.imap(lambda i: client.call({}, 'add', a=i, b=1),
                                 range(20)))
        assert results == [i + 1 for i in range(20)], results
        client.cast({}, 'record', value='c')
        deadline = time.monotonic() + 5
        while endpoint.casts != ['c'] and time.monotonic() < deadline:
            eventlet.sleep(0.01)
        assert endpoint.casts == ['c'], endpoint.casts
        server.stop()
        server.wait()
        print('EVENTLET-OK')
    ''')
    proc = subprocess.run([sys.executable, '-c', script], cwd=REPO_ROOT,
                          env=dict(os.environ, PYTHONPATH=REPO_ROOT),
                          capture_output=True, text=True, timeout=25)
    assert proc.returncode == 0, proc.stderr
    assert 'EVENTLET-OK' in proc.stdout


def test_eventlet_executor_requires_monkey_patching(transport):
    server = rpc.get_rpc_server(transport, 'topic', 'h', [Recorder()],
                                executor='eventlet')
    with pytest.raises(RuntimeError):
        server.start()
