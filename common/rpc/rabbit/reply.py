"""The reply queue of a transport, and matching replies to waiting calls."""

import logging
import queue
import threading
import time
import uuid

from common.rpc import exceptions
from common.rpc import serializer
from common.rpc.rabbit import consumer as consumer_mod
from common.rpc.rabbit import topology

LOG = logging.getLogger(__name__)


class ReplyListener:
    """One exclusive, auto-deleted reply queue shared by a transport's calls.

    Each call registers its correlation id (``msg_id``) before sending and
    waits on its own slot; replies whose id nobody waits for (the call
    timed out, or they are duplicates) are dropped.
    """

    def __init__(self, factory, backoff_max):
        self.queue_name = 'reply_%s' % uuid.uuid4().hex
        self._factory = factory
        self._backoff_max = backoff_max
        self._waiters = {}
        self._lock = threading.Lock()
        self._loop = None

    def _ensure_started(self):
        with self._lock:
            if self._loop is None:
                # The name is kept across reconnects: calls in flight name
                # it as their reply_to.
                self._loop = consumer_mod.ConsumerLoop(
                    self._factory, self.queue_name,
                    lambda: [topology.reply_queue(self.queue_name)],
                    self._on_message, no_ack=True,
                    backoff_max=self._backoff_max)
                self._loop.start()
            return self._loop

    def register(self, msg_id, deadline):
        """Wait for the reply queue to exist, then expect ``msg_id``.

        Without the queue a reply would be routed nowhere and lost.
        """
        loop = self._ensure_started()
        if not loop.ready.wait(max(0.0, deadline - time.monotonic())):
            raise exceptions.MessagingUnavailable(
                'reply queue %s not ready' % self.queue_name)
        self._waiters[msg_id] = queue.Queue(maxsize=1)

    def unregister(self, msg_id):
        self._waiters.pop(msg_id, None)

    def wait(self, msg_id, deadline):
        """Return the reply envelope, or raise MessagingTimeout."""
        try:
            return self._waiters[msg_id].get(
                timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise exceptions.MessagingTimeout(
                'no reply to %s before the timeout' % msg_id) from None

    def _on_message(self, message, generation):
        try:
            reply = serializer.loads(message.body)
            waiter = self._waiters.get(reply.get('msg_id'))
        except (ValueError, AttributeError) as exc:
            LOG.warning('dropping malformed reply: %s', exc)
            return
        if waiter is None:
            LOG.debug('dropping reply for unknown msg_id %s',
                      reply.get('msg_id'))
            return
        try:
            waiter.put_nowait(reply)
        except queue.Full:  # a duplicate reply (redelivered request)
            pass

    def stop(self):
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.cancel()
            loop.join()
