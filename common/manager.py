"""The worker side of a service: a Manager (RPC endpoints + periodic tasks) and the
Service that runs it.

    class ConductorManager(manager.Manager):
        def ping(self, ctx, value):           # an RPC method: (ctx, **args)
            return value

        @service.periodic_task(spacing=60)
        def _cleanup(self):                   # '_' names are never callable over RPC
            ...

    svc = manager.ManagerService(conf, ConductorManager(conf), 'compute-conductor',
                                 exchange='compute', heartbeat=...)
    daemon.run_services(conf, [svc])

The RPC server consumes ``topic`` (any server) and ``topic.<host>`` (this one); the
launcher stops it cleanly on SIGTERM (no new messages, in-flight handlers finish and are
acknowledged), and ``reset()`` after SIGHUP reaches the manager.
"""
import logging

from common import context as context_mod
from common import heartbeat as heartbeat_mod
from common import rpc
from common import service as service_mod
from common.rpc import target as target_mod

LOG = logging.getLogger(__name__)


class Manager:
    """Base of a worker's RPC endpoint object.

    Public methods are RPC methods called as ``method(ctx, **args)`` (``ctx`` a
    RequestContext); the life-cycle methods below and ``_`` names are never exposed.
    ``@common.service.periodic_task`` methods run every ``spacing`` seconds.
    ``target`` is where the running ManagerService serves it (None until started).
    """

    rpc_hidden = frozenset(('init_host', 'cleanup_host', 'reset'))
    target = None

    def __init__(self, conf, host=None):
        self.conf = conf
        self.host = host or conf.host

    def init_host(self):
        """Recover this host's work; runs before the first message is taken."""

    def cleanup_host(self):
        """Release what ``init_host`` took; runs after the RPC server stopped."""

    def reset(self):
        """Apply a reloaded configuration (SIGHUP)."""


def request_context(values):
    """The RequestContext an RPC message carries (endpoint methods get it as ``ctx``)."""
    return context_mod.RequestContext.from_dict(values or {})


def heartbeat(state, table, binary, host, topic=None, state_fn=None):
    """A Heartbeat writing this daemon's row into ``table`` of the service's own database."""
    return heartbeat_mod.Heartbeat(state.db, table, binary, host, state.conf.report_interval,
                                   topic=topic, state_fn=state_fn)


class ManagerService(service_mod.Service):
    """Runs a Manager: RPC server on ``topic`` and ``topic.host``, its periodic tasks, and
    an optional heartbeat (a Service, e.g. from ``heartbeat()``; workers without a
    database report through their conductor instead)."""

    def __init__(self, conf, manager, topic, host=None, exchange='rpc', transport=None,
                 heartbeat=None, executor='eventlet', endpoints=(), spacing_overrides=None,
                 binary=None):
        self.conf = conf
        self.manager = manager
        self.topic = topic
        self.host = host or conf.host
        self.exchange = exchange
        self.name = binary or topic
        self._transport = transport
        self._own_transport = transport is None
        self._heartbeat = heartbeat
        self._executor = executor
        self._endpoints = [manager] + list(endpoints)
        self._periodic = service_mod.PeriodicTasks(manager, spacing_overrides)
        self._server = None

    @property
    def transport(self):
        if self._transport is None:
            self._transport = rpc.get_transport(self.conf.transport_url)
        return self._transport

    def start(self):
        self.manager.init_host()
        self._server = rpc.get_rpc_server(self.transport, self.topic, server=self.host,
                                          endpoints=self._endpoints, exchange=self.exchange,
                                          executor=self._executor,
                                          context_factory=request_context)
        self.manager.target = target_mod.Target(exchange=self.exchange, topic=self.topic,
                                                server=self.host)
        self._server.start()
        self._periodic.start()
        if self._heartbeat is not None:
            self._heartbeat.start()
        LOG.info('%s serving topic %s as %s', self.name, self.topic, self.host)

    def stop(self, graceful=True):
        if self._server is not None:
            self._server.stop()
        self._periodic.stop()
        if self._heartbeat is not None:
            self._heartbeat.stop()

    def wait(self):
        if self._server is not None:
            self._server.wait()
        self._periodic.wait()
        if self._heartbeat is not None:
            self._heartbeat.wait()
        self.manager.cleanup_host()
        if self._own_transport and self._transport is not None:
            self._transport.cleanup()
            self._transport = None

    def reset(self):
        self.manager.reset()
