"""Waiting for external events (``network-vif-plugged``) that arrive over RPC.

A build prepares its waiter before it creates ports, so an event that comes early is
kept, not lost; events for servers nobody waits for are dropped.
"""
import threading


class Waiter:
    def __init__(self):
        self._cond = threading.Condition()
        self._received = set()
        self._taken = set()
        self.cancelled = False

    def expect(self, tags):
        """(Documentation of intent: the tags the caller will wait for.)"""
        self.tags = set(tags)

    def deliver(self, tag):
        with self._cond:
            self._received.add(tag)
            self._cond.notify_all()

    def cancel(self):
        """Wake the build: its server is being deleted."""
        with self._cond:
            self.cancelled = True
            self._cond.notify_all()

    def wait(self, timeout):
        """Tags received since the last call (waits up to ``timeout`` s for a new one)."""
        with self._cond:
            if not (self._received - self._taken) and not self.cancelled:
                self._cond.wait(timeout)
            new = self._received - self._taken
            self._taken |= new
            return new


class EventWaiters:
    def __init__(self):
        self._lock = threading.Lock()
        self._waiters = {}

    def prepare(self, uuid):
        with self._lock:
            waiter = self._waiters[uuid] = Waiter()
            return waiter

    def deliver(self, uuid, tag):
        """True if a build of ``uuid`` was waiting."""
        with self._lock:
            waiter = self._waiters.get(uuid)
        if waiter is None:
            return False
        waiter.deliver(tag)
        return True

    def cancel(self, uuid):
        with self._lock:
            waiter = self._waiters.get(uuid)
        if waiter is not None:
            waiter.cancel()

    def forget(self, uuid):
        with self._lock:
            self._waiters.pop(uuid, None)
