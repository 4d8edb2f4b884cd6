"""The compute RPC daemons: conductor and scheduler (with the database) and the worker
(without: it reaches state and reports its heartbeat through the conductor), each a
common.manager.ManagerService around its manager."""
from common import daemon
from common import manager as manager_mod
from compute import rpcapi


def services(conf, role):
    """The services of daemon ``compute-<role>`` (conductor, scheduler, worker)."""
    from compute.state import ComputeState
    state = ComputeState.get(conf)
    binary = 'compute-%s' % role
    if role == 'worker':
        from compute.worker import manager as worker_manager
        manager = worker_manager.WorkerManager(conf, state.transport)
        spacing = {'_report_state': conf.report_interval,
                   '_update_available_resource': conf.compute.resource_report_interval,
                   '_sync_power_states': conf.compute.power_sync_interval,
                   '_offload_shelved': conf.compute.shelved_poll_interval}
        return [manager_mod.ManagerService(conf, manager, rpcapi.WORKER_TOPIC,
                                           exchange=rpcapi.EXCHANGE, transport=state.transport,
                                           spacing_overrides=spacing, binary=binary)]
    from compute.db import models
    if role == 'conductor':
        from compute.conductor import manager as conductor_manager
        manager = conductor_manager.ConductorManager(conf, state.db, state.transport)
        topic = rpcapi.CONDUCTOR_TOPIC
    else:
        from compute.scheduler import manager as scheduler_manager
        manager = scheduler_manager.SchedulerManager(conf, state.db)
        topic = rpcapi.SCHEDULER_TOPIC
    beat = manager_mod.heartbeat(state, models.Service.__table__, binary, conf.host,
                                 topic=binary)
    return [manager_mod.ManagerService(conf, manager, topic, exchange=rpcapi.EXCHANGE,
                                       transport=state.transport, heartbeat=beat,
                                       binary=binary)]


def _main(role, argv):
    import eventlet
    eventlet.monkey_patch()
    from compute.conf import CONF
    from compute.state import ComputeState
    daemon.run(CONF, 'compute', 'compute-%s' % role, lambda: services(CONF, role), argv,
               state=None if role == 'worker' else ComputeState)


def conductor_main(argv=None):
    """compute-conductor: builds and the workers' state writes (holds the DB)."""
    _main('conductor', argv)


def scheduler_main(argv=None):
    """compute-scheduler: host selection and resource claims."""
    _main('scheduler', argv)


def worker_main(argv=None):
    """compute-worker: the servers of this hypervisor host (no DB access)."""
    _main('worker', argv)
