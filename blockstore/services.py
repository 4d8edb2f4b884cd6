"""The RPC services of the blockstore-scheduler and blockstore-volume daemons, built from
config; cmd.py runs them, tests build them in-process (no monkey patching here)."""
from blockstore import conf as blockstore_conf
from blockstore import rpcapi
from blockstore.db import models
from blockstore.state import BlockstoreState
from common import manager


def scheduler_services(conf, executor='eventlet'):
    from blockstore.scheduler.manager import SchedulerManager
    state = BlockstoreState.get(conf)
    return [manager.ManagerService(
        conf, SchedulerManager(conf, state), rpcapi.SCHEDULER_TOPIC,
        exchange=rpcapi.EXCHANGE, executor=executor,
        heartbeat=manager.heartbeat(state, models.SERVICES, 'blockstore-scheduler',
                                    conf.host, rpcapi.SCHEDULER_TOPIC))]


def volume_services(conf, executor='eventlet', groups=None, **manager_kwargs):
    """One service per enabled backend section (``groups``, default [blockstore]
    enabled_backends): each serves ``blockstore-volume.<host>@<backend>``."""
    groups = groups or conf.blockstore.enabled_backends
    unknown = [g for g in groups if g not in blockstore_conf.BACKEND_GROUPS]
    if unknown:
        raise ValueError('enabled_backends: %s is not one of %s'
                         % (unknown[0], ', '.join(blockstore_conf.BACKEND_GROUPS)))
    found = []
    for group in groups:
        found += _volume_service(conf, executor, group=group, **manager_kwargs)
    return found


def _volume_service(conf, executor, **manager_kwargs):
    from blockstore.volume.manager import VolumeManager
    state = BlockstoreState.get(conf)
    mgr = VolumeManager(conf, state, **manager_kwargs)
    return [manager.ManagerService(
        conf, mgr, rpcapi.VOLUME_TOPIC, host=mgr.host, exchange=rpcapi.EXCHANGE,
        executor=executor, binary='blockstore-volume',
        spacing_overrides={'_report_capacity': conf.blockstore.capacity_report_interval},
        heartbeat=manager.heartbeat(state, models.SERVICES, 'blockstore-volume', mgr.host,
                                    rpcapi.VOLUME_TOPIC))]
