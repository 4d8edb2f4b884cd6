"""FakeTransport: an in-memory broker for UNIT TESTS ONLY.

It keeps the semantics services rely on: topic casts wait in a queue until
some server takes them (one server each), ``server`` targets one server's
queue, fanout reaches every server listening at the time, calls time out,
calls expire when nobody served them in time, and every message goes
through JSON so non-serialisable arguments fail as they would on RabbitMQ.
Transports made from the same URL share one in-memory bus, like clients of
one broker; call ``reset()`` between tests for isolation (or use unique
URLs such as ``fake://test-<uuid>``).
"""

import collections
import functools
import logging
import queue
import threading
import time
import uuid

from common.rpc import exceptions
from common.rpc import executors
from common.rpc import serializer
from common.rpc import transport as transport_mod

LOG = logging.getLogger(__name__)

# How often idle consumer threads re-check for stop requests and freed
# handler slots; new messages wake them immediately.
_POLL = 0.2

_BUSES = {}
_BUSES_LOCK = threading.Lock()


def reset():
    """Forget every fake bus (queued messages included)."""
    with _BUSES_LOCK:
        _BUSES.clear()


def _bus_for(url):
    with _BUSES_LOCK:
        return _BUSES.setdefault(url, _Bus())


class _Bus:
    """State of one fake broker; ``cond`` guards all of it."""

    def __init__(self):
        self.cond = threading.Condition()
        self.queues = collections.defaultdict(collections.deque)
        # {key: {id(deque): deque}}: deques are unhashable.
        self.fanout = collections.defaultdict(dict)
        self.subscribers = collections.defaultdict(dict)
        self.replies = {}

    def push(self, queues, body, expires_at=None):
        with self.cond:
            for q in queues:
                q.append((body, expires_at))
            self.cond.notify_all()


def _pop_live(queues):
    """Pop the first unexpired message body from ``queues``, else None."""
    now = time.monotonic()
    for q in queues:
        while q:
            body, expires_at = q.popleft()
            if expires_at is None or expires_at > now:
                return body
    return None


class FakeTransport(transport_mod.Transport):
    """In-memory transport with the RPC semantics of the RabbitMQ one."""

    def __init__(self, url='fake://', **options):
        self.url = url
        self._bus = _bus_for(url)

    def _queue(self, target):
        key = (target.exchange, target.topic, target.server)
        return self._bus.queues[key]

    def cast(self, target, request):
        body = serializer.dumps(request)
        with self._bus.cond:
            if target.fanout:
                queues = list(self._bus.fanout[(target.exchange,
                                                target.topic)].values())
            else:
                queues = [self._queue(target)]
            self._bus.push(queues, body)

    def call(self, target, request, timeout):
        if target.fanout:
            raise exceptions.InvalidTarget('call cannot be used with fanout')
        msg_id = uuid.uuid4().hex
        request = dict(request, msg_id=msg_id, reply_to='fake-reply')
        body = serializer.dumps(request)
        waiter = queue.Queue(maxsize=1)
        with self._bus.cond:
            self._bus.replies[msg_id] = waiter
            self._bus.push([self._queue(target)], body,
                           time.monotonic() + timeout)
        try:
            return waiter.get(timeout=timeout)
        except queue.Empty:
            raise exceptions.MessagingTimeout(
                'no reply to %s on %s within %ss'
                % (request['method'], target.topic, timeout)) from None
        finally:
            with self._bus.cond:
                self._bus.replies.pop(msg_id, None)

    def send_reply(self, reply):
        body = serializer.dumps(reply)
        with self._bus.cond:
            waiter = self._bus.replies.get(reply.get('msg_id'))
        if waiter is None:
            LOG.debug('dropping reply for unknown msg_id %s',
                      reply.get('msg_id'))
            return
        try:
            waiter.put_nowait(serializer.loads(body))
        except queue.Full:
            pass

    def listen(self, target, handler, executor):
        return _FakeListener(self, target, handler, executor)

    def broadcast(self, name, message):
        body = serializer.dumps(message)
        with self._bus.cond:
            self._bus.push(list(self._bus.subscribers[name].values()), body)

    def subscribe(self, name, callback):
        return _FakeSubscription(self._bus, name, callback)


class _FakeListener:
    """Consumer thread of one fake RPC server."""

    def __init__(self, transport, target, handler, executor):
        self._transport = transport
        self._bus = transport._bus
        self._target = target
        self._handler = handler
        self._executor = executor
        self._inflight = executors.InflightCounter()
        self._stopping = False
        self._fanout_queue = collections.deque()
        self._thread = None

    def start(self):
        t = self._target
        topic_target = t.__class__(t.exchange, t.topic)
        self._queues = [self._fanout_queue,
                        self._transport._queue(t),
                        self._transport._queue(topic_target)]
        with self._bus.cond:
            # Registered before start() returns, so a fanout sent right
            # after start() is not missed.
            self._bus.fanout[(t.exchange, t.topic)][
                id(self._fanout_queue)] = self._fanout_queue
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='fake-rpc-%s' % t.topic)
        self._thread.start()

    def _next(self):
        with self._bus.cond:
            while not self._stopping:
                # Like a prefetch limit: do not take messages that no
                # handler could run yet; other servers may take them.
                if self._inflight.count < self._executor.max_workers:
                    body = _pop_live(self._queues)
                    if body is not None:
                        return body
                self._bus.cond.wait(_POLL)
        return None

    def _run(self):
        while True:
            body = self._next()
            if body is None:
                return
            self._inflight.incr()
            self._executor.submit(
                functools.partial(self._process, serializer.loads(body)))

    def _process(self, request):
        try:
            reply = self._handler(request)
            if reply is not None:
                self._transport.send_reply(reply)
        except Exception:
            LOG.exception('fake RPC handler failed')
        finally:
            self._inflight.decr()

    def stop(self):
        t = self._target
        with self._bus.cond:
            self._stopping = True
            self._bus.fanout[(t.exchange, t.topic)].pop(
                id(self._fanout_queue), None)
            self._bus.cond.notify_all()

    def wait(self):
        if self._thread is not None:
            self._thread.join()
        self._inflight.wait_idle()


class _FakeSubscription:
    """Thread delivering one subscriber's broadcasts to its callback."""

    def __init__(self, bus, name, callback):
        self._bus = bus
        self._name = name
        self._callback = callback
        self._queue = collections.deque()
        self._stopping = False
        self._thread = None

    def start(self):
        with self._bus.cond:
            self._bus.subscribers[self._name][id(self._queue)] = self._queue
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='fake-sub-%s' % self._name)
        self._thread.start()

    def _run(self):
        while True:
            with self._bus.cond:
                body = None
                while not self._stopping and body is None:
                    body = _pop_live([self._queue])
                    if body is None:
                        self._bus.cond.wait(_POLL)
                if self._stopping:
                    return
            self._callback(serializer.loads(body))

    def stop(self):
        with self._bus.cond:
            self._stopping = True
            self._bus.subscribers[self._name].pop(id(self._queue), None)
            self._bus.cond.notify_all()
        if (self._thread is not None
                and self._thread is not threading.current_thread()):
            self._thread.join()
