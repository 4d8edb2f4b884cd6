"""A publisher connection: confirmed publishes, retried across outages."""

import logging
import socket
import threading
import time

import kombu

from common.rpc import exceptions
from common.rpc.rabbit import connection as connection_mod

LOG = logging.getLogger(__name__)


class Publisher:
    """Publish on one shared connection with publisher confirms.

    A publish returns once the broker confirmed it (for persistent
    messages to durable queues: once stored), so a returned cast is never
    lost. Connection failures are retried with backoff until the deadline,
    then MessagingUnavailable is raised. One connection, guarded by a
    lock, is plenty: a confirmed publish takes about a millisecond.
    """

    def __init__(self, factory, retry_deadline, backoff_max,
                 confirm_timeout):
        self._factory = factory
        self._retry_deadline = retry_deadline
        self._backoff_max = backoff_max
        self._confirm_timeout = confirm_timeout
        self._lock = threading.Lock()
        self._conn = None
        self._producer = None
        self._closed = threading.Event()
        self._heartbeat_thread = None

    def publish(self, body, exchange, routing_key, declare=(),
                persistent=True, timeout=None, **properties):
        """Publish a JSON text; retry for ``timeout`` (default: deadline)."""
        if self._closed.is_set():
            raise exceptions.MessagingUnavailable('transport was cleaned up')
        deadline = time.monotonic() + (
            self._retry_deadline if timeout is None else timeout)
        if not self._lock.acquire(timeout=max(0.0, deadline -
                                              time.monotonic())):
            raise exceptions.MessagingUnavailable(
                'publisher busy retrying; gave up on %s' % routing_key)
        try:
            self._publish_with_retry(deadline, body, exchange, routing_key,
                                     declare, persistent, properties)
        finally:
            self._lock.release()

    def _publish_with_retry(self, deadline, body, exchange, routing_key,
                            declare, persistent, properties):
        attempt = 0
        channel_failures = 0
        while True:
            try:
                self._ensure_connected()
                self._producer.publish(
                    body, exchange=exchange, routing_key=routing_key,
                    declare=list(declare), retry=False,
                    delivery_mode=2 if persistent else 1,
                    content_type='application/json',
                    content_encoding='utf-8',
                    timeout=self._confirm_timeout,
                    confirm_timeout=self._confirm_timeout, **properties)
                return
            except connection_mod.CHANNEL_ERRORS as exc:
                # The broker refused something on the channel, e.g. a
                # declaration conflicting with an existing entity. A
                # stale declaration cache can cause that once; more is
                # a real error that retrying cannot fix.
                self._reset()
                channel_failures += 1
                if channel_failures > 1:
                    raise exceptions.MessagingException(
                        'publish to %s refused: %s' % (routing_key, exc)
                    ) from exc
                error = exc
            except connection_mod.RECOVERABLE_ERRORS as exc:
                self._reset()
                error = exc
            attempt += 1
            delay = connection_mod.backoff(attempt - 1, self._backoff_max)
            if time.monotonic() + delay >= deadline:
                raise exceptions.MessagingUnavailable(
                    'could not publish to %s: %s' % (routing_key, error)
                ) from error
            LOG.warning('publish to %s failed (%s), retrying in %.1fs',
                        routing_key, error, delay)
            if self._closed.wait(delay):
                raise exceptions.MessagingUnavailable(
                    'transport closed while publishing to %s' % routing_key)

    def _ensure_connected(self):
        if self._conn is not None:
            return
        self._conn = self._factory.connect(confirm_publish=True)
        self._producer = kombu.Producer(self._conn.channel())
        self._start_heartbeat()

    def _reset(self):
        connection_mod.discard(self._conn)
        self._conn = self._producer = None

    def _start_heartbeat(self):
        if self._heartbeat_thread is None and self._factory.heartbeat:
            self._heartbeat_thread = threading.Thread(
                target=self._heartbeat_loop, daemon=True,
                name='rpc-publisher-heartbeat')
            self._heartbeat_thread.start()

    def _heartbeat_loop(self):
        # An idle publisher reads nothing, so without this the broker's
        # heartbeats would go unread and the connection be declared dead.
        interval = self._factory.heartbeat / 2.0
        while not self._closed.wait(interval):
            # Skip when a publish holds the lock: it exchanges frames.
            if not self._lock.acquire(blocking=False):
                continue
            try:
                if self._conn is None:
                    continue
                try:
                    self._conn.drain_events(timeout=0.01)
                except socket.timeout:
                    pass
                self._conn.heartbeat_check(rate=2)
            except connection_mod.RECOVERABLE_ERRORS as exc:
                LOG.info('publisher connection lost (%s); reconnecting on '
                         'next publish', exc)
                self._reset()
            finally:
                self._lock.release()

    def close(self):
        self._closed.set()
        with self._lock:
            connection_mod.close(self._conn)
            self._conn = self._producer = None
