"""Run an external command, optionally inside a network namespace."""
import logging
import subprocess

LOG = logging.getLogger(__name__)


class CommandError(Exception):
    """A command exited non-zero; carries its exit code and stderr."""

    def __init__(self, cmd, returncode, stdout, stderr):
        self.cmd, self.returncode = cmd, returncode
        self.stdout, self.stderr = stdout, stderr
        super().__init__('%s exited %s: %s' % (' '.join(cmd), returncode, stderr.strip()))


def execute(cmd, namespace=None, check=True, input=None, timeout=30):
    """Run ``cmd`` (a list) and return its stdout; raise CommandError on failure if ``check``."""
    cmd = [str(c) for c in cmd]
    if namespace:
        cmd = ['ip', 'netns', 'exec', namespace] + cmd
    LOG.debug('running %s', ' '.join(cmd))
    proc = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise CommandError(cmd, proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout
