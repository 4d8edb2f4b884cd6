"""Run an external command (optionally inside a network namespace) and check its exit code."""
import logging
import subprocess

LOG = logging.getLogger(__name__)


class CommandError(Exception):
    """A command exited non-zero; carries its exit code and stderr."""

    def __init__(self, cmd, returncode, stdout, stderr):
        self.cmd, self.returncode = cmd, returncode
        self.stdout, self.stderr = stdout, stderr
        super().__init__('%s exited %s: %s' % (' '.join(cmd), returncode, stderr.strip()))


def execute(cmd, namespace=None, check=True, input=None, timeout=30, secret_options=()):
    """Run ``cmd`` (a list) and return its stdout; raise CommandError on failure if ``check``.

    The value after any option in ``secret_options`` (e.g. ``--password``) is hidden in the
    log line and in the CommandError."""
    cmd = [str(c) for c in cmd]
    if namespace:
        cmd = ['ip', 'netns', 'exec', namespace] + cmd
    shown = redacted(cmd, secret_options)
    LOG.debug('running %s', ' '.join(shown))
    proc = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise CommandError(shown, proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout


def redacted(cmd, secret_options):
    """``cmd`` with the value after each of ``secret_options`` replaced by ``***``."""
    out = list(cmd)
    for index, arg in enumerate(out[:-1]):
        if arg in secret_options:
            out[index + 1] = '***'
    return out
