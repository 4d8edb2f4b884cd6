"""Run message handlers concurrently: OS threads or eventlet green threads.

Both executors expose ``submit(fn)``, ``shutdown()`` (wait for every
submitted function) and ``max_workers`` (the transport limits how many
unacknowledged messages it takes from the broker to this number, so a
submit never has to queue unboundedly or block the consumer).
"""

import concurrent.futures
import sys
import threading


class ThreadingExecutor:
    """Handlers in a thread pool; works with and without monkey patching."""

    def __init__(self, max_workers=64):
        self.max_workers = max_workers
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix='rpc-handler')

    def submit(self, fn):
        self._pool.submit(fn)

    def shutdown(self):
        self._pool.shutdown(wait=True)


class EventletExecutor:
    """Handlers in an eventlet GreenPool (for monkey-patched daemons)."""

    def __init__(self, max_workers=64):
        # Without monkey patching the consumer thread and the green threads
        # would run in different hubs and block each other. A process that
        # never imported eventlet cannot be patched: do not import it then.
        if 'eventlet' in sys.modules:
            import eventlet
            from eventlet import patcher
        if 'eventlet' not in sys.modules or \
                not patcher.is_monkey_patched('thread'):
            raise RuntimeError("executor='eventlet' needs "
                               "eventlet.monkey_patch() first")
        self.max_workers = max_workers
        self._pool = eventlet.GreenPool(max_workers)

    def submit(self, fn):
        self._pool.spawn_n(fn)

    def shutdown(self):
        self._pool.waitall()


_EXECUTORS = {'threading': ThreadingExecutor, 'eventlet': EventletExecutor}
NAMES = tuple(sorted(_EXECUTORS))


def get_executor(name, max_workers=64):
    """Return a new executor by name ('threading' or 'eventlet')."""
    try:
        cls = _EXECUTORS[name]
    except KeyError:
        raise ValueError('unknown executor %r, expected one of %s'
                         % (name, NAMES)) from None
    return cls(max_workers)


class InflightCounter:
    """Count handlers still running, and wait for that count to reach zero."""

    def __init__(self):
        self._count = 0
        self._cond = threading.Condition()

    def incr(self):
        with self._cond:
            self._count += 1

    def decr(self):
        with self._cond:
            self._count -= 1
            if not self._count:
                self._cond.notify_all()

    @property
    def count(self):
        return self._count

    def wait_idle(self, timeout=None):
        """Block until no handler runs; return False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._count, timeout)
