"""A consumer thread that owns one connection and survives broker restarts."""

import collections
import logging
import socket
import threading
import time

import kombu

from common.rpc.rabbit import connection as connection_mod

LOG = logging.getLogger(__name__)


class ConsumerLoop:
    """Consume ``queues_factory()`` and pass messages to ``on_message``.

    The thread connects, declares and consumes, then drains events; on any
    connection or channel failure it drops the connection and starts over
    with backoff, for as long as it runs. kombu connections are not thread
    safe, so everything touching the channel happens on this thread:
    handlers elsewhere hand finished messages back through ``ack_later``.

    ``cancel()`` stops consuming; the thread then keeps acknowledging until
    ``can_exit()`` is true, closes the connection and ends.
    """

    def __init__(self, factory, name, queues_factory, on_message,
                 no_ack=False, prefetch=None, backoff_max=4.0,
                 poll_interval=0.2, can_exit=lambda: True):
        self._factory = factory
        self.name = name
        self._queues_factory = queues_factory
        self._on_message = on_message
        self._no_ack = no_ack
        self._prefetch = prefetch
        self._backoff_max = backoff_max
        # Bounds how late acks, cancel() and heartbeats are noticed.
        self._poll = poll_interval
        self._can_exit = can_exit
        self._conn = None
        self._consumer = None
        self.generation = 0   # incremented per connection
        self.ready = threading.Event()  # set while consuming
        self._cancel = threading.Event()
        self._acks = collections.deque()
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='rpc-consumer-%s' % self.name)
        self._thread.start()

    def cancel(self):
        self._cancel.set()

    def join(self, timeout=None):
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    @property
    def pending_acks(self):
        return len(self._acks)

    def ack_later(self, message, generation):
        """Queue ``message`` (received on ``generation``) for acking."""
        self._acks.append((message, generation))

    def _flush_acks(self):
        while self._acks:
            message, generation = self._acks.popleft()
            # A message from an earlier connection was already requeued
            # by the broker when that connection died; its delivery tag
            # means nothing on the new channel.
            if generation == self.generation and self._conn is not None:
                message.ack()

    def _connect(self):
        conn = self._factory.connect()
        try:
            channel = conn.channel()
            if self._prefetch:
                channel.basic_qos(0, self._prefetch, False)
            generation = self.generation + 1
            consumer = kombu.Consumer(
                channel, queues=self._queues_factory(), no_ack=self._no_ack,
                on_message=lambda m: self._on_message(m, generation))
            consumer.consume()
        except BaseException:
            connection_mod.discard(conn)
            raise
        self._conn, self._consumer = conn, consumer
        self.generation = generation
        self.ready.set()

    def _disconnect(self, graceful):
        self.ready.clear()
        if graceful:
            connection_mod.close(self._conn)
        else:
            connection_mod.discard(self._conn)
        self._conn = self._consumer = None

    def _log_failure(self, what, exc):
        known = connection_mod.RECOVERABLE_ERRORS + \
            connection_mod.CHANNEL_ERRORS
        if isinstance(exc, known):
            LOG.warning('%s: %s: %s', self.name, what, exc)
        else:
            LOG.error('%s: %s', self.name, what, exc_info=exc)

    def _run(self):
        attempt = 0
        try:
            while not (self._cancel.is_set() and self._can_exit()):
                if self._conn is None:
                    if self._cancel.is_set():
                        # Stopping: no reason to reconnect, the broker
                        # has requeued whatever we had not acked.
                        self._acks.clear()
                        time.sleep(self._poll)
                        continue
                    try:
                        self._connect()
                        if attempt:
                            LOG.info('%s: reconnected', self.name)
                        attempt = 0
                    except Exception as exc:
                        delay = connection_mod.backoff(attempt + 1,
                                                       self._backoff_max)
                        attempt += 1
                        self._log_failure('cannot consume (retrying in '
                                          '%.1fs)' % delay, exc)
                        self._cancel.wait(delay)
                        continue
                try:
                    if self._cancel.is_set() and self._consumer is not None:
                        self._consumer.cancel()
                        self._consumer = None
                        self.ready.clear()
                    self._flush_acks()
                    try:
                        self._conn.drain_events(timeout=self._poll)
                    except socket.timeout:
                        pass
                    self._flush_acks()
                    self._conn.heartbeat_check(rate=2)
                except Exception as exc:
                    # Whatever broke, a new connection is the way back;
                    # the broker requeues the unacked messages.
                    self._log_failure('connection lost, reconnecting', exc)
                    self._disconnect(graceful=False)
        except Exception:
            LOG.exception('%s: consumer thread failed', self.name)
            raise
        finally:
            if self._conn is not None:
                try:
                    self._flush_acks()
                except Exception:  # noqa: best effort, broker requeues
                    pass
            self._disconnect(graceful=True)
