"""RPCClient: cast and call methods on the servers of a topic."""

from common.rpc import exceptions
from common.rpc import protocol
from common.rpc import target as target_mod

_UNSET = object()


class RPCClient:
    """Send requests to ``topic`` in ``exchange``.

    ``prepare()`` returns a copy aimed elsewhere (one server, fanout) or
    with another timeout; copies share the transport and its reply queue.
    """

    def __init__(self, transport, topic, exchange='rpc', timeout=60,
                 server=None, fanout=False, version='1.0'):
        self.transport = transport
        self.target = target_mod.Target(exchange=exchange, topic=topic,
                                        server=server, fanout=fanout)
        self.timeout = timeout
        self.version = version

    def prepare(self, server=_UNSET, fanout=_UNSET, timeout=_UNSET,
                topic=_UNSET, exchange=_UNSET, version=_UNSET):
        """Return a client with the given fields changed."""
        def pick(new, old):
            return old if new is _UNSET else new
        t = self.target
        return RPCClient(self.transport,
                         topic=pick(topic, t.topic),
                         exchange=pick(exchange, t.exchange),
                         timeout=pick(timeout, self.timeout),
                         server=pick(server, t.server),
                         fanout=pick(fanout, t.fanout),
                         version=pick(version, self.version))

    def cast(self, ctxt, method, /, **kwargs):
        """Send and return at once; with fanout, every server gets it."""
        request = protocol.make_request(ctxt, method, kwargs, self.version)
        self.transport.cast(self.target, request)

    def call(self, ctxt, method, /, **kwargs):
        """Send, wait for the reply and return the remote result.

        Raises MessagingTimeout when no reply arrives within the timeout,
        RemoteError when the remote method raised.
        """
        if self.target.fanout:
            raise exceptions.InvalidTarget('call cannot be used with fanout')
        if not self.timeout or self.timeout <= 0:
            raise ValueError('call needs a positive timeout')
        request = protocol.make_request(ctxt, method, kwargs, self.version)
        reply = self.transport.call(self.target, request, self.timeout)
        return protocol.unpack_reply(reply)
