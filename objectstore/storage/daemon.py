"""Consistency daemons: one pass at a time, every ``interval`` seconds, or once."""
import logging
import os
import time

import eventlet

from common import service

LOG = logging.getLogger(__name__)


def local_devices(ring, conf, server_group):
    """Ring devices this node serves: its address, the server's port, present on disk."""
    port = conf.get('bind_port', server_group)
    ips = {conf.storage.bind_ip}
    found = []
    for dev in ring.devs:
        if dev is None or dev['port'] != port or not (
                dev['ip'] in ips or dev.get('replication_ip') in ips):
            continue
        if os.path.isdir(os.path.join(conf.storage.devices, dev['device'])):
            found.append(dev)
    return found


class Daemon(service.Service):
    """Runs ``run_once`` in a green thread every ``interval`` seconds until stopped."""

    name = 'daemon'

    def __init__(self, conf, interval):
        self.conf = conf
        self.interval = interval
        self._stopping = False
        self._thread = None

    def run_once(self):
        raise NotImplementedError

    def start(self):
        self._thread = eventlet.spawn(self._loop)

    def _loop(self):
        while not self._stopping:
            started = time.monotonic()
            try:
                self.run_once()
            except Exception:
                LOG.exception('%s pass failed', self.name)
            end = started + self.interval
            while not self._stopping and time.monotonic() < end:
                eventlet.sleep(min(0.5, max(0.0, end - time.monotonic())))

    def stop(self, graceful=True):
        self._stopping = True

    def wait(self):
        if self._thread is not None:
            self._thread.wait()

