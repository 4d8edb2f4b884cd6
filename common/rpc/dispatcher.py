"""Find and invoke the endpoint method a request names."""

from common.rpc import exceptions


class Dispatcher:
    """Route requests to the first endpoint that has a public method.

    Endpoint methods are called as ``method(ctxt, **args)``, ``ctxt``
    being ``context_factory(context_dict)`` (the dict itself by default).
    """

    def __init__(self, endpoints, context_factory=None):
        if not endpoints:
            raise ValueError('an RPC server needs at least one endpoint')
        self._endpoints = list(endpoints)
        self._context_factory = context_factory or dict

    def _lookup(self, name):
        # Private names are never exposed: '_' methods are implementation
        # details and dunders would let callers reach object internals.
        if not isinstance(name, str) or not name or name.startswith('_'):
            raise exceptions.NoSuchMethod('no public method %r' % (name,))
        for endpoint in self._endpoints:
            # An endpoint's life-cycle methods (Manager.init_host...) are not RPC methods.
            if name in getattr(endpoint, 'rpc_hidden', ()):
                continue
            method = getattr(endpoint, name, None)
            if callable(method):
                return method
        raise exceptions.NoSuchMethod('no endpoint has method %r' % (name,))

    def dispatch(self, request):
        """Invoke the method; its exceptions propagate to the caller."""
        method = self._lookup(request.get('method'))
        ctxt = self._context_factory(request.get('context') or {})
        args = request.get('args') or {}
        return method(ctxt, **args)
