"""Daemon life cycle: start services, stop cleanly on SIGTERM, reload config on SIGHUP.

Every daemon (API servers, workers, agents) is one or more ``Service`` objects run by a
``Launcher`` under eventlet.  Periodic tasks and the heartbeat into the service's own
database run as green threads of the same process.
"""
import logging
import signal
import socket
import threading
import time

import eventlet

from common import config

LOG = logging.getLogger(__name__)

OPTS = [
    config.StrOpt('host', default=socket.gethostname(),
                  help='Name of this host as other daemons and the service list see it.'),
    config.StrOpt('state_path', default='/var/lib/cirrostack',
                  help='Directory for this service\'s local state (SQLite files, keys, data).'),
    config.StrOpt('transport_url', default='amqp://guest:guest@127.0.0.1:5672//',
                  help='AMQP URL of the message broker for RPC.'),
    config.IntOpt('report_interval', default=10, min=1,
                  help='Seconds between heartbeats a worker writes into the service table.'),
    config.IntOpt('service_down_time', default=60, min=1,
                  help='Seconds without a heartbeat after which a worker counts as down.'),
    config.IntOpt('graceful_shutdown_timeout', default=30, min=0,
                  help='Seconds to let in-flight work finish after SIGTERM.'),
    config.BoolOpt('debug', default=False, help='Log at DEBUG level.'),
    config.StrOpt('log_file', default=None, help='Write logs to this file instead of stderr.'),
]


def register_opts(conf):
    conf.register_opts(OPTS)


class Service:
    """Something a daemon runs; subclasses override ``start``/``stop``/``wait``/``reset``."""

    name = 'service'

    def start(self):
        pass

    def stop(self, graceful=True):
        pass

    def wait(self):
        pass

    def reset(self):
        """Called after a SIGHUP config reload."""


def periodic_task(spacing, run_immediately=False):
    """Mark a method to be run every ``spacing`` seconds by ``PeriodicTasks``."""
    def decorator(func):
        func._periodic_spacing = spacing
        func._periodic_immediate = run_immediately
        return func
    return decorator


class PeriodicTasks(Service):
    """Runs the ``@periodic_task`` methods of ``owner``; one failing run never stops the loop."""

    name = 'periodic-tasks'

    def __init__(self, owner, spacing_overrides=None):
        self.owner = owner
        # Configured intervals (e.g. report_interval) override the decorator's default.
        self.spacing_overrides = spacing_overrides or {}
        self._threads = []
        self._stopping = threading.Event()

    def tasks(self):
        found = []
        for attr in dir(self.owner):
            func = getattr(self.owner, attr, None)
            if callable(func) and hasattr(func, '_periodic_spacing'):
                found.append(func)
        return found

    def start(self):
        for task in self.tasks():
            self._threads.append(eventlet.spawn(self._loop, task))

    def _loop(self, task):
        spacing = self.spacing_overrides.get(task.__name__, task._periodic_spacing)
        if not task._periodic_immediate:
            if self._sleep(spacing):
                return
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                task()
            except Exception:
                LOG.exception('periodic task %s failed', task.__name__)
            if self._sleep(max(0.0, spacing - (time.monotonic() - started))):
                return

    def _sleep(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self._stopping.is_set():
                return True
            eventlet.sleep(min(0.5, end - time.monotonic()))
        return self._stopping.is_set()

    def stop(self, graceful=True):
        self._stopping.set()

    def wait(self):
        for thread in self._threads:
            thread.wait()


class Launcher:
    """Run services until SIGTERM/SIGINT; SIGHUP reloads the config and resets services."""

    def __init__(self, conf=None):
        self.conf = conf
        self.services = []
        self._stop_requested = eventlet.event.Event()
        self._signal = None

    def add(self, service):
        self.services.append(service)

    def _on_signal(self, signum, _frame):
        # Signal handlers run in the main greenlet; hand the work to the loop in ``run``.
        self._signal = signum
        if not self._stop_requested.ready():
            self._stop_requested.send(signum)

    def run(self):
        """Start every service and block until a stop signal; return the exit status."""
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        for service in self.services:
            LOG.info('starting %s', service.name)
            service.start()
        while True:
            # Poll rather than block: an idle eventlet hub may otherwise sleep through a
            # signal until some unrelated timer fires.
            while not self._stop_requested.ready():
                eventlet.sleep(0.5)
            signum = self._stop_requested.wait()
            if signum == signal.SIGHUP:
                self._stop_requested = eventlet.event.Event()
                self._reload()
                continue
            break
        LOG.info('caught %s, stopping', signal.Signals(signum).name)
        self.stop()
        return 0

    def _reload(self):
        if self.conf is not None:
            try:
                self.conf.reload()
                LOG.info('configuration reloaded from %s', ', '.join(self.conf.config_files))
            except config.ConfigError as exc:
                LOG.error('reload refused, keeping the running configuration: %s', exc)
                return
        for service in self.services:
            service.reset()

    def stop(self):
        timeout = self.conf.graceful_shutdown_timeout if self.conf is not None else 30
        for service in reversed(self.services):
            service.stop(graceful=True)
        waiter = eventlet.spawn(lambda: [s.wait() for s in self.services])
        try:
            with eventlet.Timeout(timeout or None):
                waiter.wait()
        except eventlet.Timeout:
            LOG.warning('services did not finish within %ss; exiting anyway', timeout)
