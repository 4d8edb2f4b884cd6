"""compute-scheduler: filters and weighs hosts, then claims resources atomically."""
import logging
import random
import time

import sqlalchemy as sa

from common import manager as manager_mod
from compute import exceptions
from compute.db import claims
from compute.db import compute_nodes
from compute.db import models
from compute.scheduler import filters as filters_mod
from compute.scheduler import weighers as weighers_mod

LOG = logging.getLogger(__name__)



class SchedulerManager(manager_mod.Manager):
    def __init__(self, conf, db):
        super().__init__(conf)
        self.db = db
        self.filters = filters_mod.load(conf.scheduler.enabled_filters)
        self.weighers = weighers_mod.weighers(conf)
        self._sizes, self._sizes_at = None, 0.0

    # Node sizes are read again this often (workers report every 30 s) and whenever a
    # node appears; claimed sums and liveness are read for every request.
    SIZES_MAX_AGE = 30.0

    def _host_states(self):
        """Every compute node with its worker's liveness and its claims as they are now."""
        now = time.monotonic()
        if self._sizes is None or now - self._sizes_at > self.SIZES_MAX_AGE:
            self._sizes, self._sizes_at = compute_nodes.host_sizes(self.db), now
        down_time = self.conf.service_down_time
        hosts, unknown = compute_nodes.host_states(self.db, 'compute-worker', down_time,
                                                   self._sizes)
        if unknown:     # a node appeared since the sizes were read
            self._sizes, self._sizes_at = compute_nodes.host_sizes(self.db), now
            hosts, _ = compute_nodes.host_states(self.db, 'compute-worker', down_time,
                                                 self._sizes)
        return hosts

    def _member_hosts(self, group_uuid):
        with self.db.session() as sess:
            rows = sess.execute(
                sa.select(models.Instance.host, models.Instance.uuid)
                .join(models.ServerGroupMember,
                      models.ServerGroupMember.instance_uuid == models.Instance.uuid)
                .join(models.ServerGroup,
                      models.ServerGroup.id == models.ServerGroupMember.group_id)
                .where(models.ServerGroup.uuid == group_uuid,
                       models.Instance.deleted.is_(False),
                       models.Instance.host.isnot(None))).all()
        return {uuid: host for host, uuid in rows}

    def select_destinations(self, ctx, request_spec, instance_uuids):
        """[{host, node, compute_node_id, availability_zone}] per server, claimed; raises
        NoValidHost (after releasing this request's claims) when one does not fit."""
        spec = dict(request_spec)
        group = dict(spec.get('group') or {}) or None
        if group:
            members = self._member_hosts(group['uuid'])
            group['member_hosts'] = [h for u, h in members.items() if u not in instance_uuids]
            spec['group'] = group
        ignore = set(spec.get('ignore_hosts') or [])
        hosts = [h for h in self._host_states() if h['host'] not in ignore]
        if spec.get('force_host'):
            hosts = [h for h in hosts if h['host'] == spec['force_host']]
        if spec.get('force_node'):
            hosts = [h for h in hosts if h['hypervisor_hostname'] == spec['force_node']]
        flavor = spec['flavor']
        need_disk = filters_mod.disk_gb(flavor)
        placed = []
        try:
            for uuid in instance_uuids:
                dest = self._place_one(spec, hosts, uuid, flavor, need_disk)
                placed.append(dest)
                if group:
                    group['member_hosts'].append(dest['host'])
        except exceptions.NoValidHost:
            for dest in placed:
                claims.release(self.db, dest['uuid'])
            raise
        return placed

    def _place_one(self, spec, hosts, uuid, flavor, need_disk):
        candidates = filters_mod.filter_hosts(self.filters, hosts, spec)
        while candidates:
            ranked = weighers_mod.weigh(self.weighers, candidates, spec)
            subset = ranked[:self.conf.scheduler.host_subset_size]
            host = random.choice(subset)
            if claims.claim(self.db, host['id'], uuid, flavor['vcpus'], flavor['memory_mb'],
                            need_disk):
                # Keep the in-memory view right for the next server of this request.
                host['vcpus_claimed'] += flavor['vcpus']
                host['memory_mb_claimed'] += flavor['memory_mb']
                host['disk_gb_claimed'] += need_disk
                return {'uuid': uuid, 'host': host['host'],
                        'node': host['hypervisor_hostname'], 'compute_node_id': host['id'],
                        'availability_zone': host['availability_zone']}
            # Another scheduler won the race for this host: it is full for us now.
            candidates = [h for h in candidates if h is not host]
        raise exceptions.NoValidHost('There are not enough hosts available.')
