"""RPC between the daemons of a service, over RabbitMQ (kombu).

    transport = rpc.get_transport('amqp://guest:guest@127.0.0.1:5672//')
    client = rpc.RPCClient(transport, topic='network-agent',
                           exchange='network', timeout=60)
    client.cast(ctxt, 'port_update', port=port)        # one server
    client.prepare(fanout=True).cast(ctxt, 'port_update', port=port)  # all
    result = client.prepare(server='host1').call(ctxt, 'get_info')

    server = rpc.get_rpc_server(transport, topic='network-agent',
                                server='host1', endpoints=[manager],
                                exchange='network', executor='eventlet')
    server.start(); ...; server.stop(); server.wait()

    rpc.FanoutPublisher(transport, 'revocations').publish({'token': ...})
    rpc.FanoutSubscriber(transport, 'revocations', callback).start()

``fake://`` gives the in-memory FakeTransport, for unit tests only.
"""

from common.rpc.client import RPCClient
from common.rpc.exceptions import InvalidTarget
from common.rpc.exceptions import InvalidTransportURL
from common.rpc.exceptions import MessagingException
from common.rpc.exceptions import MessagingTimeout
from common.rpc.exceptions import MessagingUnavailable
from common.rpc.exceptions import NoSuchMethod
from common.rpc.exceptions import RemoteError
from common.rpc.fake import FakeTransport
from common.rpc.pubsub import FanoutPublisher
from common.rpc.pubsub import FanoutSubscriber
from common.rpc.pubsub import Notifier
from common.rpc.server import RPCServer
from common.rpc.server import get_rpc_server
from common.rpc.target import Target
from common.rpc.transport import Transport
from common.rpc.transport import get_transport

__all__ = [
    'FakeTransport', 'FanoutPublisher', 'FanoutSubscriber', 'InvalidTarget',
    'InvalidTransportURL', 'MessagingException', 'MessagingTimeout',
    'MessagingUnavailable', 'NoSuchMethod', 'Notifier', 'RPCClient',
    'RPCServer', 'RemoteError', 'Target', 'Transport', 'get_rpc_server',
    'get_transport',
]
