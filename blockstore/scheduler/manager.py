"""blockstore-scheduler: places a new volume on a pool and hands it to that volume daemon.

Pools and their capacity are what the volume daemons last reported (the ``pools`` table);
a placement claims the capacity with one guarded UPDATE, so two schedulers (or two
requests) cannot both take the last GiB of a pool."""
import logging

from blockstore import rpcapi
from blockstore.db import api as db_api
from blockstore.db import groups as groups_db
from blockstore.db import models
from blockstore.scheduler import filters
from common import manager

LOG = logging.getLogger(__name__)


class SchedulerManager(manager.Manager):
    def __init__(self, conf, state, host=None):
        super().__init__(conf, host)
        self.state = state
        self.volume_rpc = rpcapi.VolumeAPI(state.transport)

    def create_volume(self, ctx, volume_id):
        db = self.state.db
        try:
            volume = db_api.get_volume(db, volume_id)
        except Exception:  # deleted meanwhile
            LOG.info('volume %s gone before scheduling', volume_id)
            return
        if volume['status'] != 'creating' or volume['host']:
            return  # placed already (a redelivered or re-sent request)
        pool = self._place(volume)
        if pool is None:
            return
        self.volume_rpc.create_volume(ctx, pool['name'], volume_id)

    def create_group(self, ctx, group_id):
        """Put a group on one pool that serves all its volume types (its volumes are
        created there); the pool's volume daemon makes it available."""
        db = self.state.db
        try:
            group = groups_db.get(db, group_id)
        except Exception:
            LOG.info('group %s gone before scheduling', group_id)
            return
        if group['status'] != 'creating' or group['host']:
            return
        names = set()
        for type_id in group['volume_type_ids'] or []:
            try:
                vtype = db_api.get_type(db, type_id)
            except Exception:
                continue
            names.add(vtype['extra_specs'].get('volume_backend_name'))
        names.discard(None)
        pools = db_api.list_pools(db, self.conf.blockstore.pool_down_time)
        want = dict(size=0, availability_zone=group['availability_zone'])
        found = [p for p in filters.candidates(pools, **want)
                 if all(p['backend_name'] == n for n in names)]
        if not found:
            message = filters.explain(**dict(want, backend_name=' and '.join(sorted(names))
                                              or None))
            LOG.warning('group %s: %s', group_id, message)
            db_api.transition(db, models.Group, group_id, {'creating'}, {'status': 'error'},
                              what='Group')
            return
        db_api.update(db, models.Group, group_id, host=found[0]['name'])
        LOG.info('group %s placed on %s', group_id, found[0]['name'])
        self.volume_rpc.create_group(ctx, found[0]['name'], group_id)

    def init_host(self):
        """Volumes a killed scheduler never placed are placed again (each placement checks
        the volume is still unplaced, so a request also still queued is harmless)."""
        from common import context
        vol = models.Volume
        pending = db_api.rows(self.state.db, vol, vol.status == 'creating', vol.host.is_(None))
        if pending:
            api = rpcapi.SchedulerAPI(self.state.transport)
            ctx = context.RequestContext.admin_context()
            for row in pending:
                LOG.info('volume %s: placing again after a restart', row['id'])
                api.create_volume(ctx, row['id'])

    def _source_host(self, volume):
        db = self.state.db
        if volume.get('group_id'):  # a group's volumes are all on its pool
            return groups_db.get(db, volume['group_id'])['host']
        if volume['snapshot_id']:
            snap = db_api.get_snapshot(db, volume['snapshot_id'])
            return db_api.get_volume(db, snap['volume_id'])['host']
        if volume['source_volid']:
            return db_api.get_volume(db, volume['source_volid'])['host']
        return None

    def _place(self, volume):
        db = self.state.db
        vtype = db_api.get_type(db, volume['volume_type_id']) \
            if volume['volume_type_id'] else {'extra_specs': {}}
        want = dict(size=volume['size'], availability_zone=volume['availability_zone'],
                    backend_name=vtype['extra_specs'].get('volume_backend_name'),
                    host=self._source_host(volume))
        pools = db_api.list_pools(db, self.conf.blockstore.pool_down_time)
        for pool in filters.candidates(pools, **want):
            if db_api.claim(db, pool, volume['size']):
                db_api.update(db, models.Volume, volume['id'], host=pool['name'])
                LOG.info('volume %s placed on %s', volume['id'], pool['name'])
                return pool
        message = filters.explain(**want)
        LOG.warning('volume %s: %s', volume['id'], message)
        db_api.transition(db, models.Volume, volume['id'], {'creating'},
                          {'status': 'error', 'fault': message[:255]})
        return None
