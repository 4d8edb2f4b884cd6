"""Broadcast of plain dict messages to every current subscriber.

Used e.g. to push token revocations from identity to every service.
Subscribers only get what is published while they are subscribed: a
service that (re)starts must catch up by other means (e.g. fetching the
revocation list), since nothing is stored for absent subscribers.
"""

import datetime
import logging
import uuid

from common.rpc import protocol

LOG = logging.getLogger(__name__)


class FanoutPublisher:
    """Publish dicts to the broadcast channel ``exchange_name``."""

    def __init__(self, transport, exchange_name):
        self.transport = transport
        self.exchange_name = exchange_name

    def publish(self, message):
        if not isinstance(message, dict):
            raise TypeError('broadcast messages must be dicts')
        self.transport.broadcast(self.exchange_name, message)


class FanoutSubscriber:
    """Call ``callback(message)`` for each dict published on the channel.

    Callbacks run one at a time on the subscriber's own thread; an
    exception in one is logged and does not stop the subscription.
    """

    def __init__(self, transport, exchange_name, callback):
        self.transport = transport
        self.exchange_name = exchange_name
        self.callback = callback
        self._subscription = None

    def start(self):
        if self._subscription is None:
            self._subscription = self.transport.subscribe(
                self.exchange_name, self._deliver)
            self._subscription.start()

    def stop(self):
        if self._subscription is not None:
            self._subscription.stop()
            self._subscription = None

    def _deliver(self, message):
        try:
            self.callback(message)
        except Exception:
            LOG.exception('subscriber callback on %s failed',
                          self.exchange_name)


class Notifier:
    """Publish event notifications (event_type + payload) as broadcasts."""

    def __init__(self, transport, exchange_name, publisher_id):
        self._publisher = FanoutPublisher(transport, exchange_name)
        self.publisher_id = publisher_id

    def notify(self, ctxt, event_type, payload, priority='INFO'):
        self._publisher.publish({
            'message_id': uuid.uuid4().hex,
            'publisher_id': self.publisher_id,
            'event_type': event_type,
            'priority': priority,
            'payload': payload,
            'context': protocol.context_to_dict(ctxt),
            'timestamp': datetime.datetime.now(datetime.timezone.utc),
        })

    def info(self, ctxt, event_type, payload):
        self.notify(ctxt, event_type, payload, 'INFO')

    def warn(self, ctxt, event_type, payload):
        self.notify(ctxt, event_type, payload, 'WARN')

    def error(self, ctxt, event_type, payload):
        self.notify(ctxt, event_type, payload, 'ERROR')
