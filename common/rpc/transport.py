"""The transport interface, and get_transport() which picks a driver by URL.

A transport moves envelopes (plain dicts, see protocol.py); everything
about endpoints, contexts and exceptions lives above it, so the in-memory
FakeTransport and the RabbitMQ transport share that logic.
"""

import urllib.parse

from common.rpc import exceptions


class Transport:
    """What the client, server and pub/sub layers need from a driver."""

    def cast(self, target, request):
        """Deliver ``request`` without waiting for any reply."""
        raise NotImplementedError

    def call(self, target, request, timeout):
        """Deliver ``request`` and return the reply envelope.

        Raises MessagingTimeout if no reply comes within ``timeout``.
        """
        raise NotImplementedError

    def listen(self, target, handler, executor):
        """Return a listener (start/stop/wait) feeding ``target``'s messages
        to ``handler(request) -> reply or None`` through ``executor``,
        acknowledging each message after its handler returned."""
        raise NotImplementedError

    def broadcast(self, name, message):
        """Send ``message`` to every current subscriber of ``name``."""
        raise NotImplementedError

    def subscribe(self, name, callback):
        """Return a subscription (start/stop) calling ``callback(message)``."""
        raise NotImplementedError

    def cleanup(self):
        """Release connections and threads held by the transport."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def get_transport(url, **options):
    """Return the transport for ``url``.

    ``amqp://user:pass@host:port/vhost`` (or ``rabbit://``) is RabbitMQ;
    options (see RabbitTransport) may also be given as URL query
    parameters. ``fake://[name]`` is the in-memory FakeTransport, for unit
    tests only: transports made from the same fake URL share one bus.
    """
    scheme = urllib.parse.urlsplit(url or '').scheme
    if scheme == 'fake':
        from common.rpc import fake
        return fake.FakeTransport(url, **options)
    if scheme in ('amqp', 'amqps', 'rabbit'):
        from common.rpc.rabbit import transport as rabbit_transport
        return rabbit_transport.RabbitTransport(url, **options)
    raise exceptions.InvalidTransportURL(
        'unsupported transport URL %r (expected amqp:// or fake://)' % url)
