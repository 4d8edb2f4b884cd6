"""RPCServer: consume a topic and run requests on endpoint objects."""

import logging
import socket

from common.rpc import dispatcher as dispatcher_mod
from common.rpc import executors
from common.rpc import protocol
from common.rpc import serializer
from common.rpc import target as target_mod

LOG = logging.getLogger(__name__)


class RPCServer:
    """Serve ``target``: the topic queue, the server's own queue, fanout.

    ``start()`` begins consuming, ``stop()`` stops taking new messages,
    ``wait()`` returns once the handlers in flight have finished (their
    messages acknowledged). A stopped and waited server can start again.
    """

    def __init__(self, transport, target, endpoints, executor='threading',
                 context_factory=None, max_workers=64):
        self.transport = transport
        self.target = target
        self._dispatcher = dispatcher_mod.Dispatcher(endpoints,
                                                     context_factory)
        self._executor_name = executor
        self._max_workers = max_workers
        if executor not in executors.NAMES:
            raise ValueError('unknown executor %r, expected one of %s'
                             % (executor, executors.NAMES))
        self._executor = None
        self._listener = None

    def start(self):
        if self._listener is not None:
            return
        self._executor = executors.get_executor(self._executor_name,
                                                self._max_workers)
        self._listener = self.transport.listen(self.target, self._handle,
                                               self._executor)
        self._listener.start()

    def stop(self):
        if self._listener is not None:
            self._listener.stop()

    def wait(self):
        if self._listener is None:
            return
        self._listener.wait()
        self._executor.shutdown()
        self._listener = self._executor = None

    def _handle(self, request):
        """Run one request; return the reply for calls, None for casts."""
        call = protocol.is_call(request)
        try:
            result = self._dispatcher.dispatch(request)
            reply = protocol.make_result(result)
            if call:
                # Fail here, with a reply the caller sees, rather than
                # later in the transport where the caller would time out.
                serializer.dumps(reply)
        except Exception as exc:
            if call:
                LOG.info('RPC call %s on %s failed: %s: %s',
                         request.get('method'), self.target.topic,
                         type(exc).__name__, exc)
            else:
                LOG.exception('RPC cast %s on %s failed',
                              request.get('method'), self.target.topic)
            reply = protocol.make_failure(exc)
        if not call:
            return None
        reply['msg_id'] = request['msg_id']
        return reply


def get_rpc_server(transport, topic, server=None, endpoints=(),
                   exchange='rpc', executor='threading', context_factory=None,
                   max_workers=64):
    """Return an unstarted RPCServer for ``topic`` on host ``server``.

    ``server`` defaults to this host's name; ``executor`` is 'threading'
    or 'eventlet' (the latter needs eventlet.monkey_patch()).
    """
    target = target_mod.Target(exchange=exchange, topic=topic,
                               server=server or socket.gethostname())
    return RPCServer(transport, target, endpoints, executor=executor,
                     context_factory=context_factory, max_workers=max_workers)
