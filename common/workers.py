"""Several processes serving one API: ``[api] workers``.

The parent binds the listening socket, forks the workers and supervises them; each worker
builds its own services after the fork (its own DB pool, RPC connection and threads) and
accepts on the shared socket, so the kernel spreads connections over them. A worker that
dies is replaced; SIGTERM/SIGINT stop every worker gracefully, SIGHUP reaches each one
(they reload their configuration). Workers die with the parent: a parent killed with
SIGKILL leaves no worker holding the port.
"""
import ctypes
import logging
import os
import signal
import sys
import time

LOG = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
FAST_DEATH = 2.0        # a worker dead within this many seconds of its start ...
MAX_FAST_DEATHS = 5     # ... this many times in a row makes the parent give up


def _die_with_parent():
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        LOG.warning('cannot ask to die with the parent process')


class Pool:
    """The parent: fork ``count`` workers that each run ``serve()`` (which returns an exit
    status), replace those that die, stop them all on a stop signal."""

    def __init__(self, name, serve, count, reload=None):
        self.name, self.serve, self.count = name, serve, count
        self.reload = reload      # SIGHUP: the parent's config too, for workers it forks later
        self.children = {}        # pid -> started at (monotonic)
        self.stopping = False
        self.fast_deaths = 0
        self._parent = os.getpid()

    def _spawn(self):
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                _die_with_parent()
                if os.getppid() != self._parent:   # the parent died before prctl
                    os._exit(0)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                # Until its launcher takes SIGHUP over, a starting worker (which reads
                # the parent's reloaded configuration anyway) must not die of one.
                signal.signal(signal.SIGHUP, signal.SIG_IGN)
                status = self.serve() or 0
            except SystemExit as exc:
                status = exc.code if isinstance(exc.code, int) else 1
            except BaseException:   # noqa: B902 - a worker must never return into the parent
                LOG.exception('%s worker failed', self.name)
            finally:
                logging.shutdown()
                os._exit(status)
        self.children[pid] = time.monotonic()
        LOG.info('%s worker %d started', self.name, pid)

    def _signal(self, signum, _frame):
        if signum in (signal.SIGTERM, signal.SIGINT):
            self.stopping = True
        elif signum == signal.SIGHUP and self.reload is not None:
            try:
                self.reload()
            except Exception as exc:   # a bad file: the workers refuse it too, and say so
                LOG.error('%s: reload refused: %s', self.name, exc)
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGTERM if signum == signal.SIGINT else signum)
            except ProcessLookupError:
                pass

    def run(self):
        """Fork the workers and supervise them until they all stopped; the exit status."""
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._signal)
        for _ in range(self.count):
            self._spawn()
        status = 0
        while self.children:
            try:
                pid, raw = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            started = self.children.pop(pid, None)
            if started is None:
                continue
            code = os.waitstatus_to_exitcode(raw)
            if self.stopping:
                continue
            LOG.error('%s worker %d exited (%s); starting another', self.name, pid,
                      'signal %d' % -code if code < 0 else 'status %d' % code)
            self.fast_deaths = self.fast_deaths + 1 \
                if time.monotonic() - started < FAST_DEATH else 0
            if self.fast_deaths >= MAX_FAST_DEATHS:
                LOG.error('%s workers keep dying at start; giving up', self.name)
                self.stopping = True
                self._signal(signal.SIGTERM, None)
                status = 1
                continue
            time.sleep(min(0.2 * 2 ** self.fast_deaths, 5))
            self._spawn()
        LOG.info('%s: every worker stopped', self.name)
        return status


def run(name, serve, count, reload=None):
    """Main of a daemon with ``count`` workers (``serve`` runs in each); exits."""
    sys.exit(Pool(name, serve, count, reload).run())
