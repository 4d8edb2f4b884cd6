"""Server side: consume a target's queues, ack each message after handling."""

import functools
import logging
import time

from common.rpc import executors
from common.rpc import serializer
from common.rpc.rabbit import consumer as consumer_mod
from common.rpc.rabbit import topology

LOG = logging.getLogger(__name__)


class RPCListener:
    """Feed a target's messages to ``handler`` through ``executor``.

    A message is acknowledged only after its handler returned (and its
    reply was sent), so if the process dies mid-handler the broker gives
    the message to another server. Delivery is therefore at least once.
    """

    def __init__(self, transport, target, handler, executor):
        self._transport = transport
        self._target = target
        self._handler = handler
        self._executor = executor
        self._inflight = executors.InflightCounter()
        self._stopping = False
        self._loop = consumer_mod.ConsumerLoop(
            transport.factory, '%s.%s' % (target.topic, target.server),
            lambda: topology.server_queues(target), self._on_message,
            # Take no more messages than handlers can run: the rest stay
            # in the queue for other servers of the topic.
            prefetch=executor.max_workers,
            backoff_max=transport.retry_backoff_max,
            can_exit=self._idle)

    def start(self):
        self._loop.start()
        # Return once consuming, so a fanout sent right after start() is
        # seen; if the broker is down keep trying in the background.
        if not self._loop.ready.wait(self._transport.start_timeout):
            LOG.warning('RPC server %s.%s not consuming yet; will keep '
                        'retrying', self._target.topic, self._target.server)

    def _idle(self):
        # Order matters: a handler queues its ack before leaving the
        # in-flight count, so idle here implies its ack is visible.
        return self._inflight.count == 0 and self._loop.pending_acks == 0

    def _on_message(self, message, generation):
        if self._stopping:
            # Prefetched after stop(): give it back for another server.
            message.requeue()
            return
        try:
            request = serializer.loads(message.body)
            if not isinstance(request, dict):
                raise ValueError('request is not a JSON object')
        except ValueError as exc:
            # Redelivering a message nobody can parse would loop forever.
            LOG.error('dropping malformed RPC message on %s: %s',
                      self._target.topic, exc)
            message.reject()
            return
        self._inflight.incr()
        self._executor.submit(functools.partial(
            self._process, request, message, generation))

    def _process(self, request, message, generation):
        try:
            reply = self._handler(request)
            if reply is not None:
                self._transport.send_reply(request['reply_to'], reply)
        except Exception:
            LOG.exception('RPC handler for %s failed', request.get('method'))
        finally:
            self._loop.ack_later(message, generation)
            self._inflight.decr()

    def stop(self):
        self._stopping = True
        self._loop.cancel()

    def wait(self):
        self._loop.join()


class Subscription:
    """A broadcast subscriber: a private queue bound to the exchange."""

    def __init__(self, transport, name, callback):
        self._transport = transport
        self._name = name
        self._callback = callback
        self._loop = None

    def start(self):
        self._loop = consumer_mod.ConsumerLoop(
            self._transport.factory, 'pubsub.%s' % self._name,
            lambda: [topology.broadcast_queue(self._name)],
            self._on_message, no_ack=True,
            backoff_max=self._transport.retry_backoff_max)
        self._loop.start()
        started = time.monotonic()
        if not self._loop.ready.wait(self._transport.start_timeout):
            LOG.warning('subscriber of %s not consuming after %.0fs; will '
                        'keep retrying', self._name,
                        time.monotonic() - started)

    def _on_message(self, message, generation):
        try:
            payload = serializer.loads(message.body)
        except ValueError as exc:
            LOG.error('dropping malformed broadcast on %s: %s',
                      self._name, exc)
            return
        try:
            self._callback(payload)
        except Exception:  # must not break the consumer's connection
            LOG.exception('broadcast callback on %s failed', self._name)

    def stop(self):
        if self._loop is not None:
            self._loop.cancel()
            self._loop.join()
            self._loop = None
