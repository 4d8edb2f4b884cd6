"""Names and declarations of the exchanges and queues behind a Target.

For exchange E, topic T and server S:
  exchange ``E`` (direct, durable)  -> queue ``E.T``   (durable, key ``T``)
                                    -> queue ``E.T.S`` (durable, key ``T.S``)
  exchange ``E.T.fanout`` (fanout)  -> one exclusive queue per server process
  broadcast channel N: exchange ``pubsub.N`` (fanout) -> one exclusive queue
  per subscriber.
Queue names carry the exchange so two services using the same topic name
in different exchanges never share a queue. Topic and server queues are
durable and declared by publishers too, so a cast sent before any server
ever ran, or across a broker restart, waits in the queue. Exchanges are
never auto-deleted: publishers cache their declarations per connection,
and a vanished exchange would make the next publish fail.
"""

import uuid

import kombu


def rpc_exchange(target):
    return kombu.Exchange(target.exchange, 'direct', durable=True)


def fanout_exchange(target):
    return kombu.Exchange('%s.%s.fanout' % (target.exchange, target.topic),
                          'fanout', durable=True)


def topic_queue(target):
    return kombu.Queue('%s.%s' % (target.exchange, target.topic),
                       rpc_exchange(target), routing_key=target.topic,
                       durable=True, auto_delete=False)


def server_queue(target):
    key = '%s.%s' % (target.topic, target.server)
    return kombu.Queue('%s.%s' % (target.exchange, key),
                       rpc_exchange(target), routing_key=key,
                       durable=True, auto_delete=False)


def _private_queue(prefix, exchange, routing_key=''):
    # A fresh name on every connect: if the broker has not yet noticed
    # that our previous connection died, the old exclusive queue still
    # exists and redeclaring its name would fail with RESOURCE_LOCKED.
    return kombu.Queue('%s.%s' % (prefix, uuid.uuid4().hex[:12]), exchange,
                       routing_key=routing_key, exclusive=True,
                       auto_delete=True, durable=False)


def fanout_queue(target):
    return _private_queue('%s.%s.fanout.%s' % (target.exchange, target.topic,
                                               target.server),
                          fanout_exchange(target))


def server_queues(target):
    """Queues an RPC server consumes from (declared on every connect)."""
    return [topic_queue(target), server_queue(target), fanout_queue(target)]


def route(target, declare_queue=True):
    """Return (exchange, routing_key, entities to declare) for ``target``.

    Calls pass ``declare_queue=False``: a call nobody serves times out
    anyway, and declaring would leave a durable queue behind for every
    mistyped server name.
    """
    if target.fanout:
        exchange = fanout_exchange(target)
        return exchange, '', [exchange]
    queue = server_queue(target) if target.server else topic_queue(target)
    return (queue.exchange, queue.routing_key,
            [queue if declare_queue else queue.exchange])


def reply_queue(name):
    """The per-transport queue replies come back on (default exchange)."""
    return kombu.Queue(name, exclusive=True, auto_delete=True, durable=False)


def broadcast_exchange(name):
    return kombu.Exchange('pubsub.%s' % name, 'fanout', durable=True)


def broadcast_queue(name):
    return _private_queue('pubsub.%s' % name, broadcast_exchange(name))
