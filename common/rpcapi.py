"""Base of a service's RPC client side (``<svc>/rpcapi.py``).

    class ConductorAPI(rpcapi.RPCAPI):
        TOPIC = 'compute-conductor'
        EXCHANGE = 'compute'

        def ping(self, ctx, value):
            return self._call(ctx, 'ping', value=value)

Every remote method is one line naming its arguments, so the contract is readable in one
file.  ``host`` aims a message at one server (``topic.host``), ``_fanout`` at all.
"""
from common import rpc


class RPCAPI:
    TOPIC = None
    EXCHANGE = 'rpc'
    VERSION = '1.0'
    DEFAULT_TIMEOUT = 60

    def __init__(self, transport, timeout=None):
        if not self.TOPIC:
            raise TypeError('%s must set TOPIC' % type(self).__name__)
        self.transport = transport
        self.client = rpc.RPCClient(transport, self.TOPIC, exchange=self.EXCHANGE,
                                    timeout=timeout or self.DEFAULT_TIMEOUT,
                                    version=self.VERSION)

    def _prepare(self, host=None, timeout=None):
        kw = {}
        if host is not None:
            kw['server'] = host
        if timeout is not None:
            kw['timeout'] = timeout
        return self.client.prepare(**kw) if kw else self.client

    def _call(self, ctx, method, host=None, timeout=None, **kwargs):
        """Run ``method`` remotely and return its result (MessagingTimeout, RemoteError)."""
        return self._prepare(host, timeout).call(ctx, method, **kwargs)

    def _cast(self, ctx, method, host=None, **kwargs):
        """Send ``method`` to one server of the topic (or to ``host``) and return at once."""
        self._prepare(host).cast(ctx, method, **kwargs)

    def _fanout(self, ctx, method, **kwargs):
        """Send ``method`` to every server listening on the topic."""
        self.client.prepare(fanout=True).cast(ctx, method, **kwargs)
