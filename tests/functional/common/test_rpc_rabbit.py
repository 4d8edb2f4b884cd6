"""Functional tests of common.rpc against the real RabbitMQ at 127.0.0.1:5672.

Every test uses its own exchange name, so its queues and exchanges are
unique, and deletes them afterwards. Skipped only if RabbitMQ is
unreachable.
"""

import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import kombu
import pytest

from common import rpc

URL = os.environ.get('RPC_TEST_URL', 'amqp://guest:guest@127.0.0.1:5672//')
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
TOPIC = 'topic'


def _rabbit_reachable():
    try:
        with kombu.Connection(URL, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0,
                                   interval_step=0, interval_max=0)
        return True
    except Exception:
        return False


if not _rabbit_reachable():
    pytest.skip('RabbitMQ is not reachable at %s' % URL,
                allow_module_level=True)

pytestmark = pytest.mark.timeout(60)


def wait_for(predicate, timeout=10.0, interval=0.02):
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
        self.values = []
        self.lock = threading.Lock()

    def add(self, ctxt, a, b):
        return a + b

    def whoami(self, ctxt):
        return self.name

    def record(self, ctxt, value):
        with self.lock:
            self.values.append(value)

    def echo_context(self, ctxt):
        return {'type': type(ctxt).__name__, 'values': ctxt.to_dict()}

    def fail(self, ctxt, message):
        raise KeyError(message)

    def slow(self, ctxt, seconds, value):
        time.sleep(seconds)
        self.record(ctxt, value)
        return value

    def got(self):
        with self.lock:
            return list(self.values)


class Ctx:
    def __init__(self, values):
        self.values = values

    def to_dict(self):
        return dict(self.values)

    @classmethod
    def from_dict(cls, values):
        return cls(values)


def _delete_entities(exchange, servers):
    """Delete what a test's exchange name led to declare, ignoring misses."""
    queues = ['%s.%s' % (exchange, TOPIC)] + [
        '%s.%s.%s' % (exchange, TOPIC, s) for s in servers]
    exchanges = ['%s.%s.fanout' % (exchange, TOPIC), exchange]
    with kombu.Connection(URL, connect_timeout=5) as conn:
        for name in queues:
            try:
                conn.channel().queue_delete(name)
            except Exception:
                pass
        for name in exchanges:
            try:
                conn.channel().exchange_delete(name)
            except Exception:
                pass


@pytest.fixture
def env():
    """A unique exchange, transports and servers, all cleaned up."""
    state = Env()
    yield state
    state.close()


class Env:
    def __init__(self):
        self.exchange = 'test-rpc-%s' % uuid.uuid4().hex[:12]
        self.transports = []
        self.servers = []
        self.server_names = set()
        self.broadcasts = []

    def transport(self, **options):
        options.setdefault('retry_deadline', 20)
        t = rpc.get_transport(URL, **options)
        self.transports.append(t)
        return t

    def server(self, endpoint, server='host1', transport=None, **kwargs):
        s = rpc.get_rpc_server(transport or self.transport(), topic=TOPIC,
                               server=server, endpoints=[endpoint],
                               exchange=self.exchange, **kwargs)
        self.server_names.add(server)
        s.start()
        self.servers.append(s)
        return s

    def client(self, transport=None, timeout=10, **kwargs):
        return rpc.RPCClient(transport or self.transport(), topic=TOPIC,
                             exchange=self.exchange, timeout=timeout,
                             **kwargs)

    def close(self):
        for s in self.servers:
            s.stop()
        for s in self.servers:
            s.wait()
        for t in self.transports:
            t.cleanup()
        _delete_entities(self.exchange, self.server_names)
        if self.broadcasts:
            with kombu.Connection(URL, connect_timeout=5) as conn:
                for name in self.broadcasts:
                    try:
                        conn.channel().exchange_delete('pubsub.%s' % name)
                    except Exception:
                        pass


def test_cast_and_call(env):
    endpoint = Recorder()
    env.server(endpoint)
    client = env.client()
    client.cast({}, 'record', value='cast')
    assert client.call({}, 'add', a=20, b=22) == 42
    wait_for(lambda: endpoint.got() == ['cast'])


def test_cast_before_server_starts_is_kept(env):
    # The publisher declares the durable topic queue itself.
    env.client().cast({}, 'record', value='early')
    endpoint = Recorder()
    env.server(endpoint)
    wait_for(lambda: endpoint.got() == ['early'])


def test_call_timeout(env):
    env.server(Recorder())
    client = env.client(timeout=0.5)
    started = time.monotonic()
    with pytest.raises(rpc.MessagingTimeout):
        client.call({}, 'slow', seconds=1.5, value='late')
    assert 0.4 < time.monotonic() - started < 3
    # The late reply is dropped; the next call gets its own result.
    assert client.prepare(timeout=10).call({}, 'add', a=1, b=1) == 2


def test_call_to_absent_server_times_out(env):
    with pytest.raises(rpc.MessagingTimeout):
        env.client(timeout=0.5).prepare(server='nobody').call({}, 'whoami')


def test_expired_call_is_not_run(env):
    server = env.server(Recorder())
    server.stop()
    server.wait()  # the durable topic queue stays, with no consumer
    with pytest.raises(rpc.MessagingTimeout):
        env.client(timeout=0.3).call({}, 'record', value='stale')
    # The broker's TTL clock starts a little after the caller's: leave a
    # margin so this checks expiry rather than racing it.
    time.sleep(0.3)
    endpoint = Recorder()
    env.server(endpoint, server='host2')
    env.client().cast({}, 'record', value='fresh')
    wait_for(lambda: 'fresh' in endpoint.got())
    assert endpoint.got() == ['fresh']


def test_idle_connections_survive_on_heartbeats(env):
    transport = env.transport(heartbeat=1)
    endpoint = Recorder()
    server = env.server(endpoint, transport=transport)
    client = env.client(transport)
    assert client.call({}, 'add', a=1, b=1) == 2
    loops = [server._listener._loop, transport._replies._loop]
    publisher_conn = transport._publisher._conn
    # Without heartbeats in both directions the broker would close these
    # connections after about 2 s idle, and ours would give up on it.
    time.sleep(4)
    assert client.call({}, 'add', a=2, b=2) == 4
    assert [loop.generation for loop in loops] == [1, 1]
    assert transport._publisher._conn is publisher_conn


def test_remote_error_and_no_such_method(env):
    env.server(Recorder())
    client = env.client()
    with pytest.raises(rpc.RemoteError) as info:
        client.call({}, 'fail', message='gone')
    assert info.value.exc_type == 'KeyError'
    assert 'gone' in info.value.message
    assert 'KeyError' in info.value.traceback
    for name in ('nonexistent', '_private'):
        with pytest.raises(rpc.RemoteError) as info:
            client.call({}, name)
        assert info.value.exc_type == 'NoSuchMethod'


def test_fanout_reaches_both_servers(env):
    first, second = Recorder('1'), Recorder('2')
    env.server(first, server='host1')
    env.server(second, server='host2')
    env.client().prepare(fanout=True).cast({}, 'record', value='everyone')
    wait_for(lambda: first.got() == second.got() == ['everyone'])


def test_casts_are_shared_between_servers(env):
    first, second = Recorder('1'), Recorder('2')
    env.server(first, server='host1')
    env.server(second, server='host2')
    client = env.client()
    for i in range(40):
        client.cast({}, 'record', value=i)
    wait_for(lambda: len(first.got()) + len(second.got()) == 40)
    assert sorted(first.got() + second.got()) == list(range(40))


def test_targeted_server(env):
    env.server(Recorder('one'), server='host1')
    env.server(Recorder('two'), server='host2')
    client = env.client()
    for _ in range(5):
        assert client.prepare(server='host1').call({}, 'whoami') == 'one'
        assert client.prepare(server='host2').call({}, 'whoami') == 'two'


def test_context_carried(env):
    env.server(Recorder(), context_factory=Ctx.from_dict)
    ctxt = Ctx({'user_id': 'u1', 'project_id': 'p1', 'roles': ['member']})
    assert env.client().call(ctxt, 'echo_context') == {
        'type': 'Ctx', 'values': ctxt.to_dict()}


def test_stop_wait_finishes_and_acks_inflight(env):
    endpoint = Recorder()
    server = env.server(endpoint)
    env.client().cast({}, 'slow', seconds=1, value='inflight')
    wait_for(lambda: server._listener._inflight.count == 1)
    server.stop()
    server.wait()
    assert endpoint.got() == ['inflight']
    # Acked before the connection closed: nobody gets it again.
    other = Recorder()
    env.server(other, server='host2')
    env.client().cast({}, 'record', value='next')
    wait_for(lambda: other.got() == ['next'])
    assert endpoint.got() == ['inflight']


def _line_reader(stream):
    lines = queue.Queue()

    def pump():
        for line in stream:
            lines.put(line.strip())
    threading.Thread(target=pump, daemon=True).start()
    return lines


def _expect_line(lines, expected, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError('child never printed %r' % expected)
        try:
            if lines.get(timeout=remaining) == expected:
                return
        except queue.Empty:
            continue


def test_message_of_killed_server_goes_to_another(env):
    script = textwrap.dedent('''
        import sys, time
        from common import rpc

        class Endpoint:
            def slow(self, ctxt, seconds, value):
                print('HANDLING', value, flush=True)
                time.sleep(120)

        transport = rpc.get_transport(sys.argv[1])
        server = rpc.get_rpc_server(transport, sys.argv[2], 'doomed',
                                    [Endpoint()], exchange=sys.argv[3])
        server.start()
        print('READY', flush=True)
        time.sleep(120)
    ''')
    env.server_names.add('doomed')
    child = subprocess.Popen(
        [sys.executable, '-c', script, URL, TOPIC, env.exchange],
        cwd=REPO_ROOT, env=dict(os.environ, PYTHONPATH=REPO_ROOT),
        stdout=subprocess.PIPE, text=True)
    try:
        lines = _line_reader(child.stdout)
        _expect_line(lines, 'READY')
        env.client().cast({}, 'slow', seconds=0, value='precious')
        _expect_line(lines, 'HANDLING precious')
        survivor = Recorder()
        env.server(survivor, server='survivor')
        time.sleep(0.5)
        assert survivor.got() == []  # still unacked at the doomed server
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        wait_for(lambda: survivor.got() == ['precious'], timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)


def test_eventlet_executor_in_monkey_patched_process(env):
    script = textwrap.dedent('''
        import eventlet
        eventlet.monkey_patch()
        import sys, time
        from common import rpc

        url, exchange = sys.argv[1], sys.argv[2]

        class Endpoint:
            def __init__(self):
                self.casts = []
            def add(self, ctxt, a, b):
                eventlet.sleep(0.2)
                return a + b
            def record(self, ctxt, value):
                self.casts.append(value)

        endpoint = Endpoint()
        transport = rpc.get_transport(url, retry_deadline=10)
        server = rpc.get_rpc_server(transport, 'topic', 'green', [endpoint],
                                    exchange=exchange, executor='eventlet')
        server.start()
        client = rpc.RPCClient(transport, 'topic', exchange=exchange,
                               timeout=10)
        started = time.monotonic()
        pool = eventlet.GreenPool()
        results = list(pool.imap(lambda i: client.call({}, 'add', a=i, b=1),
                                 range(20)))
        assert results == [i + 1 for i in range(20)], results
        # 20 handlers sleeping 0.2 s each ran concurrently (4 s if not).
        assert time.monotonic() - started < 2.5, time.monotonic() - started
        client.prepare(fanout=True).cast({}, 'record', value='f')
        client.cast({}, 'record', value='c')
        deadline = time.monotonic() + 10
        while len(endpoint.casts) < 2 and time.monotonic() < deadline:
            eventlet.sleep(0.02)
        assert sorted(endpoint.casts) == ['c', 'f'], endpoint.casts
        server.stop()
        server.wait()
        transport.cleanup()
        print('EVENTLET-OK')
    ''')
    env.server_names.add('green')
    proc = subprocess.run(
        [sys.executable, '-c', script, URL, env.exchange], cwd=REPO_ROOT,
        env=dict(os.environ, PYTHONPATH=REPO_ROOT), capture_output=True,
        text=True, timeout=45)
    assert proc.returncode == 0, proc.stderr
    assert 'EVENTLET-OK' in proc.stdout


def test_broadcast_to_subscribers(env):
    name = 'revocations-%s' % uuid.uuid4().hex[:12]
    env.broadcasts.append(name)
    got1, got2 = [], []
    sub1 = rpc.FanoutSubscriber(env.transport(), name, got1.append)
    sub2 = rpc.FanoutSubscriber(env.transport(), name, got2.append)
    sub1.start()
    sub2.start()
    try:
        rpc.FanoutPublisher(env.transport(), name).publish({'token': 'abc'})
        wait_for(lambda: got1 == got2 == [{'token': 'abc'}])
    finally:
        sub1.stop()
        sub2.stop()


def test_publish_to_unreachable_broker_raises_unavailable():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]  # nothing listens there once closed
    transport = rpc.get_transport(
        'amqp://guest:guest@127.0.0.1:%d//' % port, retry_deadline=1.5,
        retry_backoff_max=0.5)
    try:
        started = time.monotonic()
        with pytest.raises(rpc.MessagingUnavailable):
            rpc.RPCClient(transport, 'topic', exchange='x').cast({}, 'm')
        # Retried for a while (it stops early when the next backoff
        # would overrun the deadline), then gave up.
        assert 0.5 < time.monotonic() - started < 5
    finally:
        transport.cleanup()


def _rabbitmqctl(*args, timeout=60):
    subprocess.run(['rabbitmqctl', *args], check=True, timeout=timeout,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.timeout(120)
@pytest.mark.skipif(shutil.which('rabbitmqctl') is None,
                    reason='rabbitmqctl is needed to restart the broker')
def test_broker_restart_loses_no_cast(env):
    endpoint = Recorder()
    server_transport = env.transport(retry_backoff_max=1)
    env.server(endpoint, transport=server_transport)
    client = env.client(env.transport(retry_deadline=60,
                                      retry_backoff_max=1))
    total = 30
    durations = []
    errors = []
    first_sent = threading.Event()

    def produce():
        try:
            for i in range(total):
                started = time.monotonic()
                client.cast({}, 'record', value=i)
                durations.append(time.monotonic() - started)
                first_sent.set()
                time.sleep(0.1)
        except Exception as exc:  # reported by the assertions below
            errors.append(exc)

    # Starts the client's reply queue consumer before the restart.
    assert client.call({}, 'add', a=1, b=1) == 2
    producer = threading.Thread(target=produce, daemon=True)
    try:
        producer.start()
        assert first_sent.wait(10)
        _rabbitmqctl('stop_app')
        time.sleep(1)  # casts keep being attempted while it is down
    finally:
        _rabbitmqctl('start_app')
        _rabbitmqctl('await_startup')
    producer.join(60)
    assert not producer.is_alive()
    assert errors == []
    assert len(durations) == total
    # Some cast really waited for the broker (the outage was exercised).
    assert max(durations) > 0.8
    wait_for(lambda: set(endpoint.got()) == set(range(total)), timeout=30)
    # The server and the client's reply consumer reconnected: calls work.
    assert client.call({}, 'add', a=1, b=2) == 3
