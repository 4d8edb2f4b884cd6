"""The loop every network agent runs: pull desired state, converge, repeat.

A resync happens on start, on every ``resources_changed`` fanout cast, every
``resync_interval`` seconds, and again shortly after a failed one; casts that arrive
while a resync runs are folded into one more resync afterwards.
"""
import logging
import os
import threading

import eventlet
from eventlet import event as eventlet_event

from common import context as context_mod
from common import rpc
from common import service as service_mod
from network import rpcapi
from network.agents.common import screen

LOG = logging.getLogger(__name__)


class AgentEndpoint:
    """What network-api may cast to an agent."""

    def __init__(self, agent):
        self._agent = agent

    def resources_changed(self, ctxt, kind=None, ids=None):
        LOG.debug('resources_changed %s %s', kind, ids)
        self._agent.trigger_resync()


class Agent(service_mod.Service):
    """Base of the four agents; subclasses set ``agent_type``/``binary`` and ``converge``."""

    agent_type = None
    binary = None

    def __init__(self, conf, plugin_api=None, transport=None):
        self.conf = conf
        self.host = conf.host
        self.name = self.binary
        self.ctx = context_mod.RequestContext(is_admin=True)
        self._transport = transport
        self.plugin = plugin_api
        self._wakeup = eventlet_event.Event()
        self._stopping = threading.Event()
        self._threads = []
        self._rpc_server = None
        self._periodic = service_mod.PeriodicTasks(self, {'report_state': conf.report_interval})
        self.last_sync_ok = None
        self.sync_count = 0
        self._reported = {}   # port id -> status network-api last accepted

    # subclass hooks ----------------------------------------------------------------
    def converge(self, state):
        raise NotImplementedError

    def configurations(self):
        return {}

    def topic(self):
        return rpcapi.agent_topic(self.agent_type)

    # life cycle --------------------------------------------------------------------
    def start(self):
        if self.plugin is None:
            self._transport = self._transport or rpc.get_transport(self.conf.transport_url)
            self.plugin = rpcapi.PluginApi(self._transport, timeout=self.conf.agent.rpc_timeout)
        if self._transport is not None:
            self._rpc_server = rpc.get_rpc_server(
                self._transport, self.topic(), server=self.host,
                endpoints=[AgentEndpoint(self)], exchange=rpcapi.EXCHANGE,
                executor='eventlet')
            self._rpc_server.start()
        self._periodic.start()
        self._threads.append(eventlet.spawn(self._sync_loop))

    def stop(self, graceful=True):
        self._stopping.set()
        self.trigger_resync()
        if self._rpc_server is not None:
            self._rpc_server.stop()
        self._periodic.stop()

    def wait(self):
        if self._rpc_server is not None:
            self._rpc_server.wait()
        self._periodic.wait()
        for thread in self._threads:
            thread.wait()
        if self._transport is not None:
            self._transport.cleanup()

    # port status -------------------------------------------------------------------
    def report_port_statuses(self, statuses):
        """Tell network-api the status of the ports this agent plugs ({port_id: status});
        only changes are sent, and a port no longer in ``statuses`` is forgotten."""
        for port_id, status in statuses.items():
            if self._reported.get(port_id) == status:
                continue
            try:
                self.plugin.update_port_status(self.ctx, port_id, status, self.host)
                self._reported[port_id] = status
            except Exception as exc:
                LOG.warning('cannot report port %s %s: %s', port_id, status, exc)
        for port_id in set(self._reported) - set(statuses):
            del self._reported[port_id]

    # resync ------------------------------------------------------------------------
    def trigger_resync(self):
        if not self._wakeup.ready():
            self._wakeup.send(True)

    def sync_once(self):
        """Pull the whole desired state and converge to it; True on success."""
        try:
            state = self.plugin.get_host_state(self.ctx, self.host, self.agent_type)
            # Only values that parse strictly are rendered into rules and files.
            self.converge(screen.screen_state(state or {}))
            if getattr(getattr(self, 'datapath', None), 'failed', False):
                raise RuntimeError('some resources could not be set up (see above)')
        except Exception:
            LOG.exception('%s: resync failed', self.binary)
            self.last_sync_ok = False
            return False
        self.sync_count += 1
        self.last_sync_ok = True
        return True

    def _sync_loop(self):
        interval = self.conf.agent.resync_interval
        while not self._stopping.is_set():
            # Reset before pulling: a cast arriving mid-sync triggers another pass.
            self._wakeup = eventlet_event.Event()
            ok = self.sync_once()
            if self._stopping.is_set():
                break
            timeout = interval if ok else self.conf.agent.retry_interval
            with eventlet.Timeout(timeout, False):
                self._wakeup.wait()

    @service_mod.periodic_task(spacing=10, run_immediately=True)
    def report_state(self):
        agent = {'binary': self.binary, 'host': self.host, 'agent_type': self.agent_type,
                 'topic': self.topic(),
                 'availability_zone': self.conf.agent.availability_zone,
                 'configurations': dict(self.configurations(), pid=os.getpid(),
                                        resyncs=self.sync_count)}
        try:
            self.plugin.report_state(self.ctx, agent)
        except Exception as exc:
            LOG.warning('%s: report_state failed: %s', self.binary, exc)


def main(agent_cls, conf, default_config, argv=None):
    """Console-script body shared by the agents: config, logging, run until SIGTERM."""
    eventlet.monkey_patch()
    import sys

    from common import config as config_mod
    from common import daemon

    argv = list(sys.argv[1:] if argv is None else argv)
    # --cleanup: converge to an empty state once (remove every namespace, bridge, chain
    # and process this agent manages) and exit; devstack and tests tear down with it.
    cleanup = '--cleanup' in argv
    argv = [a for a in argv if a != '--cleanup']
    if '--config-file' not in argv:
        path = config_mod.find_config_file('network', default_config)
        if path:
            argv += ['--config-file', path]
    daemon.prepare(conf, 'network', agent_cls.binary, argv)
    agent = agent_cls(conf)
    if cleanup:
        agent.converge({})
        LOG.info('%s: cleaned up everything it managed', agent_cls.binary)
        return 0
    daemon.run_services(conf, [agent])
