"""Commands for integration tests that build namespaces, bridges and taps on the host."""
import subprocess


def sh(*cmd, ns=None, check=True, timeout=60, input=None):
    """Run ``cmd`` (in namespace ``ns`` if given); fail the test with its output if it
    exits non-zero and ``check``."""
    cmd = [str(c) for c in cmd]
    if ns:
        cmd = ['ip', 'netns', 'exec', ns] + cmd
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input)
    if check and proc.returncode:
        raise AssertionError('%s failed: %s%s' % (' '.join(cmd), proc.stdout, proc.stderr))
    return proc


def delete_namespace(name):
    """Kill what still runs in namespace ``name``, then delete it (missing is fine)."""
    for pid in sh('ip', 'netns', 'pids', name, check=False).stdout.split():
        sh('kill', '-9', pid, check=False)
    sh('ip', 'netns', 'delete', name, check=False)
