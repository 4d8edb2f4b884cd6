"""The connection to libvirtd: opened lazily, reopened after libvirtd restarts, and safe to
use from an eventlet process.

libvirt calls block in C.  In a monkey-patched process every call goes through
eventlet.tpool (a real OS thread), so one slow call never freezes the other green threads;
domain and secret objects the connection returns are wrapped the same way.  A native
thread runs libvirt's event loop: keepalives notice a dead libvirtd and the close callback
marks the connection stale, so the next call reconnects instead of failing.
"""
import logging
import threading
import time

import libvirt
from eventlet import patcher
from eventlet import tpool

from compute.drivers import base

LOG = logging.getLogger(__name__)

native_threading = patcher.original('threading')
_event_loop_started = False
_event_loop_guard = native_threading.Lock()

# Errors that mean "the connection is gone", not "the operation failed".
_CONNECTION_ERRORS = (libvirt.VIR_ERR_SYSTEM_ERROR, libvirt.VIR_ERR_INTERNAL_ERROR,
                      libvirt.VIR_ERR_NO_CONNECT, libvirt.VIR_ERR_INVALID_CONN,
                      libvirt.VIR_ERR_RPC)
_CONNECTION_DOMAINS = (libvirt.VIR_FROM_REMOTE, libvirt.VIR_FROM_RPC)


def is_connection_error(exc):
    if not isinstance(exc, libvirt.libvirtError):
        return False
    return (exc.get_error_code() in (libvirt.VIR_ERR_NO_CONNECT, libvirt.VIR_ERR_INVALID_CONN)
            or (exc.get_error_code() in _CONNECTION_ERRORS
                and exc.get_error_domain() in _CONNECTION_DOMAINS))


def _start_event_loop():
    """Run libvirt's default event loop in a native daemon thread (once per process)."""
    global _event_loop_started
    with _event_loop_guard:
        if _event_loop_started:
            return
        libvirt.virEventRegisterDefaultImpl()

        def loop():
            while True:
                try:
                    libvirt.virEventRunDefaultImpl()
                except Exception:      # never let the loop die: keepalives need it
                    LOG.exception('libvirt event loop iteration failed')
                    time.sleep(1)

        thread = native_threading.Thread(target=loop, name='libvirt-events', daemon=True)
        thread.start()
        _event_loop_started = True


def _green():
    return patcher.is_monkey_patched('thread')


class Host:
    """One libvirt connection shared by the driver."""

    def __init__(self, uri='qemu:///system', keepalive_interval=5, keepalive_count=3):
        self.uri = uri
        self.keepalive = (keepalive_interval, keepalive_count)
        self._conn = None          # raw virConnect
        self._wrapped = None       # what callers get (tpool proxy in eventlet processes)
        self._stale = False
        self._lock = threading.Lock()
        self.reconnects = 0

    def _open(self):
        _start_event_loop()
        try:
            if _green():
                conn = tpool.execute(libvirt.open, self.uri)
            else:
                conn = libvirt.open(self.uri)
        except libvirt.libvirtError as exc:
            raise base.HypervisorUnavailable('cannot connect to libvirt at %s: %s'
                                             % (self.uri, exc.get_error_message())) from None
        try:
            conn.setKeepAlive(*self.keepalive)
        except libvirt.libvirtError as exc:
            LOG.warning('libvirt keepalive not enabled: %s', exc)
        conn.registerCloseCallback(self._closed, None)
        return conn

    def _closed(self, conn, reason, opaque):
        # Runs in libvirt's event thread: only flip a flag.
        LOG.warning('libvirt connection to %s closed (reason %s)', self.uri, reason)
        self._stale = True

    def get_connection(self):
        """A live connection, reconnecting when libvirtd went away since the last call."""
        with self._lock:
            if self._conn is not None and (self._stale or not self._alive()):
                self._drop()
                self.reconnects += 1
                LOG.info('reconnecting to libvirt at %s', self.uri)
            if self._conn is None:
                self._stale = False
                self._conn = self._open()
                if _green():
                    self._wrapped = tpool.Proxy(
                        self._conn, autowrap=(libvirt.virDomain, libvirt.virSecret))
                else:
                    self._wrapped = self._conn
            return self._wrapped

    def _alive(self):
        try:
            return self._conn.isAlive() == 1
        except libvirt.libvirtError:
            return False

    def _drop(self):
        # The old connection is dead: failing to tidy it must not stop the reconnect.
        for tidy in (self._conn.unregisterCloseCallback, self._conn.close):
            try:
                tidy()
            except Exception as exc:
                LOG.debug('tidying the old libvirt connection: %s', exc)
        self._conn = self._wrapped = None

    def list_all_domains(self, flags=0):
        """Domains of the host; in an eventlet process each goes through tpool like the
        connection (a list return value is not wrapped by the proxy itself)."""
        domains = self.get_connection().listAllDomains(flags)
        if _green():
            return [tpool.Proxy(d) for d in domains]
        return domains

    def mark_stale(self):
        self._stale = True

    def call(self, func, retries=1):
        """``func(conn)`` with the live connection; a call that failed because the
        connection broke is retried on a fresh one (use only for idempotent work)."""
        for attempt in range(retries + 1):
            conn = self.get_connection()
            try:
                return func(conn)
            except libvirt.libvirtError as exc:
                if not is_connection_error(exc):
                    raise
                self.mark_stale()
                if attempt == retries:
                    raise base.HypervisorUnavailable('libvirt connection lost: %s'
                                                     % exc.get_error_message()) from None
                LOG.warning('libvirt connection lost (%s); retrying', exc.get_error_message())

    def close(self):
        with self._lock:
            if self._conn is not None:
                self._drop()
