"""RabbitTransport: the common.rpc transport over RabbitMQ."""

import time
import urllib.parse
import uuid

from common.rpc import exceptions
from common.rpc import serializer
from common.rpc import transport as transport_mod
from common.rpc.rabbit import connection as connection_mod
from common.rpc.rabbit import listener as listener_mod
from common.rpc.rabbit import publisher as publisher_mod
from common.rpc.rabbit import reply as reply_mod
from common.rpc.rabbit import topology

# Options accepted as keyword arguments or URL query parameters.
_OPTIONS = {
    'heartbeat': float,           # seconds; 0 disables heartbeats
    'connect_timeout': float,     # seconds for one TCP+AMQP connect
    'retry_deadline': float,      # seconds a publish retries in an outage
    'retry_backoff_max': float,   # cap of the reconnect backoff, seconds
    'confirm_timeout': float,     # seconds to wait for a publish confirm
    'start_timeout': float,       # seconds start() waits to be consuming
    'ssl': lambda v: str(v).lower() in ('1', 'true', 'yes', 'on'),
}
_DEFAULTS = {
    'heartbeat': 30.0, 'connect_timeout': 5.0, 'retry_deadline': 60.0,
    'retry_backoff_max': 4.0, 'confirm_timeout': 10.0, 'start_timeout': 10.0,
    'ssl': False,
}


def _parse_url(url, options):
    """Split our options out of ``url``; return (kombu url, options)."""
    parts = urllib.parse.urlsplit(url)
    merged = dict(_DEFAULTS)
    given = dict(urllib.parse.parse_qsl(parts.query))
    given.update(options)
    for key, value in given.items():
        if key not in _OPTIONS:
            raise exceptions.InvalidTransportURL(
                'unknown transport option %r (known: %s)'
                % (key, ', '.join(sorted(_OPTIONS))))
        try:
            merged[key] = _OPTIONS[key](value)
        except (TypeError, ValueError):
            raise exceptions.InvalidTransportURL(
                'bad value %r for transport option %s' % (value, key)
            ) from None
    # 'rabbit://' is accepted for OpenStack-style configuration files.
    scheme = 'amqps' if parts.scheme == 'amqps' else 'amqp'
    kombu_url = urllib.parse.urlunsplit(
        (scheme, parts.netloc, parts.path, '', ''))
    return kombu_url, merged


class RabbitTransport(transport_mod.Transport):
    """Casts, calls, fanout and broadcasts over RabbitMQ with kombu.

    One publisher connection (confirms, retried until ``retry_deadline``),
    one reply-queue consumer started at the first call, and one consumer
    connection per RPC server or subscriber.
    """

    def __init__(self, url, **options):
        kombu_url, opts = _parse_url(url, options)
        self.url = url
        self.retry_deadline = opts['retry_deadline']
        self.retry_backoff_max = opts['retry_backoff_max']
        self.start_timeout = opts['start_timeout']
        self.factory = connection_mod.ConnectionFactory(
            kombu_url, heartbeat=opts['heartbeat'],
            connect_timeout=opts['connect_timeout'], ssl=opts['ssl'])
        self._publisher = publisher_mod.Publisher(
            self.factory, retry_deadline=self.retry_deadline,
            backoff_max=self.retry_backoff_max,
            confirm_timeout=opts['confirm_timeout'])
        self._replies = reply_mod.ReplyListener(self.factory,
                                                self.retry_backoff_max)

    def cast(self, target, request):
        exchange, routing_key, declare = topology.route(target)
        self._publisher.publish(
            serializer.dumps(request), exchange, routing_key, declare,
            # Fanout goes to whoever listens now; persisting it buys
            # nothing since its queues die with their consumers.
            persistent=not target.fanout)

    def call(self, target, request, timeout):
        if target.fanout:
            raise exceptions.InvalidTarget('call cannot be used with fanout')
        deadline = time.monotonic() + timeout
        msg_id = uuid.uuid4().hex
        request = dict(request, msg_id=msg_id,
                       reply_to=self._replies.queue_name)
        body = serializer.dumps(request)
        exchange, routing_key, declare = topology.route(
            target, declare_queue=False)
        self._replies.register(msg_id, deadline)
        try:
            self._publisher.publish(
                body, exchange, routing_key, declare,
                # Nobody waits for the answer after the timeout, so the
                # broker drops the request then instead of running it.
                persistent=False,
                expiration=max(0.001, deadline - time.monotonic()),
                timeout=min(self.retry_deadline,
                            deadline - time.monotonic()),
                correlation_id=msg_id, reply_to=self._replies.queue_name)
            return self._replies.wait(msg_id, deadline)
        except exceptions.MessagingTimeout:
            raise exceptions.MessagingTimeout(
                'no reply to %s on %s within %ss'
                % (request['method'], routing_key, timeout)) from None
        finally:
            self._replies.unregister(msg_id)

    def send_reply(self, reply_to, reply):
        """Publish a call's reply to the caller's reply queue."""
        # The default exchange routes by queue name; if the caller is
        # gone, its queue is too and the broker drops the reply.
        self._publisher.publish(serializer.dumps(reply), '', reply_to,
                                persistent=False,
                                correlation_id=reply.get('msg_id'))

    def listen(self, target, handler, executor):
        return listener_mod.RPCListener(self, target, handler, executor)

    def broadcast(self, name, message):
        exchange = topology.broadcast_exchange(name)
        self._publisher.publish(serializer.dumps(message), exchange, '',
                                [exchange], persistent=False)

    def subscribe(self, name, callback):
        return listener_mod.Subscription(self, name, callback)

    def cleanup(self):
        self._replies.stop()
        self._publisher.close()
