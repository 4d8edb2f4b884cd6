"""Long-lived helper processes (dnsmasq, metadata proxies) tracked by pid files.

They outlive an agent restart on purpose: a restarted agent finds them by pid file and
command line, so guests keep DHCP and metadata while the agent is down.
"""
import logging
import os
import signal
import time

from common.execute import execute

LOG = logging.getLogger(__name__)


def read_pid(pidfile):
    try:
        with open(pidfile) as handle:
            return int(handle.read().strip() or 0) or None
    except (OSError, ValueError):
        return None


def cmdline(pid):
    """The argv of a live process, or None (also for zombies, which are already dead)."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            if handle.read().rsplit(')', 1)[1].split()[0] == 'Z':
                return None
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            return [a.decode() for a in handle.read().split(b'\0') if a]
    except OSError:
        return None


class ManagedProcess:
    """One daemonizing process: ``cmd`` must write ``pidfile`` itself and contain ``uuid``."""

    def __init__(self, uuid, pidfile, namespace=None):
        self.uuid = uuid
        self.pidfile = pidfile
        self.namespace = namespace

    @property
    def pid(self):
        pid = read_pid(self.pidfile)
        args = cmdline(pid) if pid else None
        # A recycled pid would not carry our uuid on its command line.
        if args and any(self.uuid in a for a in args):
            return pid
        return None

    def running_cmd(self):
        pid = self.pid
        return cmdline(pid) if pid else None

    def ensure(self, cmd):
        """Start ``cmd`` unless it already runs with exactly that command line."""
        current = self.running_cmd()
        if current is not None and current[-len(cmd):] == [str(c) for c in cmd]:
            return False
        if current is not None:
            self.stop()
        os.makedirs(os.path.dirname(self.pidfile), exist_ok=True)
        execute(cmd, namespace=self.namespace)
        for _ in range(50):
            if self.pid:
                break
            time.sleep(0.05)
        else:
            LOG.warning('%s did not write %s', cmd[0], self.pidfile)
        return True

    def signal(self, signum):
        pid = self.pid
        if pid:
            os.kill(pid, signum)
        return pid is not None

    def stop(self, timeout=5):
        pid = self.pid
        if pid:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and cmdline(pid) is not None:
                time.sleep(0.05)
            if cmdline(pid) is not None:
                os.kill(pid, signal.SIGKILL)
        try:
            os.unlink(self.pidfile)
        except FileNotFoundError:
            pass
