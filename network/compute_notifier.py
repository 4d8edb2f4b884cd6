"""Tell compute about ports of its servers: ``network-vif-plugged`` when a port bound to a
server goes ACTIVE (the bridge agent plugged its tap), through compute's
``os-server-external-events`` API as the network service user (admin).

Events are sent from a background thread with a few retries, so an agent's status
report never waits for compute.
"""
import logging
import queue
import threading
import time

from common import client as client_mod
from common import config

LOG = logging.getLogger(__name__)

# [nova] holds the standard service-user options (common.client; endpoint_override is
# compute's /v2.1 URL) plus these.
OPTS = [
    config.BoolOpt('notify_port_status_changes', default=False,
                   help='Send network-vif-plugged to compute when a server\'s port goes '
                        'ACTIVE.'),
    config.IntOpt('send_attempts', default=5, min=1,
                  help='Attempts to deliver one batch of events.'),
]

COMPUTE_OWNER_PREFIX = 'compute:'
GROUP = 'nova'


def register_opts(conf):
    client_mod.register_service_user_opts(conf, GROUP)
    conf.register_opts(OPTS, group=GROUP)


def event_for(port, old_status, new_status):
    """The external event a status change of ``port`` means, or None."""
    if not (port.get('device_owner') or '').startswith(COMPUTE_OWNER_PREFIX):
        return None
    if not port.get('device_id') or old_status == new_status:
        return None
    if new_status == 'ACTIVE':
        return {'name': 'network-vif-plugged', 'server_uuid': port['device_id'],
                'tag': port['id'], 'status': 'completed'}
    if old_status == 'ACTIVE' and new_status == 'DOWN':
        return {'name': 'network-vif-unplugged', 'server_uuid': port['device_id'],
                'tag': port['id'], 'status': 'completed'}
    return None


class ComputeNotifier:
    def __init__(self, conf, client=None):
        self.conf = conf
        self._client = client
        self._queue = queue.Queue()
        self._thread = None
        self._lock = threading.Lock()

    def client(self):
        if self._client is None:
            self._client = client_mod.ComputeClient.from_conf(self.conf, GROUP)
        return self._client

    def port_status_changed(self, port, old_status, new_status):
        event = event_for(port, old_status, new_status)
        if event is None:
            return
        self._queue.put(event)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name='compute-notifier',
                                                daemon=True)
                self._thread.start()

    def _run(self):
        while True:
            try:
                first = self._queue.get(timeout=5)
            except queue.Empty:
                return
            batch = [first]
            while not self._queue.empty() and len(batch) < 50:
                batch.append(self._queue.get_nowait())
            self.send(batch)

    def send(self, events):
        for attempt in range(self.conf.nova.send_attempts):
            try:
                self.client().post('/os-server-external-events', json_body={'events': events})
                LOG.info('sent %s', ', '.join('%s %s' % (e['name'], e['tag']) for e in events))
                return True
            except client_mod.ClientError as exc:
                if exc.status in (400, 401, 403, 404):
                    LOG.warning('compute refused events %s: %s', events, exc)
                    return False
                LOG.warning('cannot send events to compute (attempt %d): %s', attempt + 1,
                            exc)
            except Exception as exc:  # noqa: B902 - keep the thread alive
                LOG.warning('cannot send events to compute (attempt %d): %s', attempt + 1,
                            exc)
            time.sleep(min(2 ** attempt, 10))
        return False


def from_conf(conf):
    return ComputeNotifier(conf) if conf.nova.notify_port_status_changes else None
