"""The replicator daemon: replicates objects, containers and accounts of local devices."""
import collections
import logging
import os

from objectstore.account import broker as account_broker
from objectstore.container import broker as container_broker
from objectstore.replicator import databases
from objectstore.replicator import objects
from objectstore.ring import Ring
from objectstore.storage import daemon

LOG = logging.getLogger(__name__)


class Replicator(daemon.Daemon):
    name = 'replicator'

    def __init__(self, conf):
        super().__init__(conf, conf.replicator.interval)

    def run_once(self):
        stats = collections.Counter()
        ring_dir = self.conf.objectstore.ring_dir
        for kind in ('object', 'container', 'account'):
            ring = Ring(os.path.join(ring_dir, '%s.ring.json.gz' % kind))
            if kind == 'object':
                worker = objects.ObjectReplicator(self.conf, ring, stats)
            else:
                broker = (container_broker.ContainerBroker if kind == 'container'
                          else account_broker.AccountBroker)
                worker = databases.DatabaseReplicator(self.conf, ring, kind, broker, stats)
            for dev in daemon.local_devices(ring, self.conf, '%s-server' % kind):
                worker.replicate_device(dev, os.path.join(self.conf.storage.devices,
                                                          dev['device']),
                                        lambda: self._stopping)
        LOG.info('replication pass done: %s', dict(stats) or 'nothing to do')
        return stats
