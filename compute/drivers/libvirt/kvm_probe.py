"""Does /dev/kvm run ordinary guests here?  Boot a 512-byte probe under KVM and see.

Some hosts have a /dev/kvm that opens and starts a guest, yet fails as soon as the guest
leaves real mode (nested or paravirtual KVM without full instruction emulation): the
file alone proves nothing.  The probe (kvm_probe.S beside this file, assembled below)
goes through protected and long mode with interrupts and prints a marker on its serial
port; only when the marker arrives is KVM used.
"""
import base64
import logging
import os
import select
import shutil
import subprocess
import tempfile
import time

LOG = logging.getLogger(__name__)

PROBE_SECTOR = base64.b64decode(
    '+jHAjtiO0LwAfGYPARYofQ8gwGaDyAEPIsBm6iJ8AAAIAGa4EACO2I7AjtC8AHwAAL8AEAAAMcC5'
    'ABQAAPOruPF8AAANAAAIAKMAQQAAxwUEQQAAAI4AAA8BHS59AADNIMcFABAAAAMgAADHBQAgAAAD'
    'MAAAxwUAMAAAgwAAALgAEAAADyLYDyDgg8ggDyLguYAAAMAPMg0AAQAADzAPIMANAAAAgA8iwOqw'
    'fAAAGAC48nwAAA0AABgAiQQlEFIAAMcEJRRSAAAAjgAADwEcJTR9AADNIb70fAAAZrr4A6yEwHQD'
    '7uv4Zrr0ALAQ7vTr/c9Iz0tWTVBST0JFLU9LCgAPH4AAAAAAAAAAAAAAAAD//wAAAJrPAP//AAAA'
    'ks8A//8AAACarwAfAAh9AAAHAQBAAAAfAgBQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAVao=')
MARKER = b'KVMPROBE-OK'
FAILURE = b'KVM internal error'
# isa-debug-exit turns the probe's "out 0x10 -> 0xf4" into this exit status.
SUCCESS_EXIT = (0x10 << 1) | 1


def qemu_binary():
    for name in ('qemu-system-x86_64', 'kvm'):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_probe(accel, timeout=10, binary=None):
    """(ok, detail): boot the probe with ``accel`` ('kvm' or 'tcg')."""
    binary = binary or qemu_binary()
    if binary is None:
        return False, 'no qemu-system-x86_64 found'
    with tempfile.TemporaryDirectory(prefix='kvm-probe-') as work:
        disk = os.path.join(work, 'probe.img')
        with open(disk, 'wb') as f:
            f.write(PROBE_SECTOR)
        cmd = [binary, '-accel', accel, '-machine', 'pc', '-m', '16', '-nodefaults',
               '-display', 'none', '-no-user-config', '-serial', 'stdio',
               '-device', 'isa-debug-exit,iobase=0xf4,iosize=1',
               '-drive', 'file=%s,format=raw,if=ide' % disk]
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
        except OSError as exc:
            return False, 'cannot run %s: %s' % (binary, exc.strerror)
        try:
            out, finished = _collect(proc, timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.stdout.close()
    if MARKER in out and proc.returncode == SUCCESS_EXIT:
        return True, 'probe passed'
    if FAILURE in out:
        return False, 'the probe guest hit a KVM internal error: %s' % _summary(out)
    if not finished:
        return False, 'the probe guest did not finish in %ss: %s' % (timeout, _summary(out))
    return False, 'probe failed (exit %s): %s' % (proc.returncode, _summary(out))


def _collect(proc, timeout):
    """(output, finished) of the probe; stops early when KVM reports an internal error,
    after which QEMU would sit paused until killed."""
    out = b''
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return out, False
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            proc.wait()
            return out, True
        out += chunk
        if FAILURE in out:
            return out, False


def _summary(out):
    lines = [l for l in out.decode('utf-8', 'replace').splitlines() if l.strip()]
    return ' | '.join(lines[:3]) or 'no output'


def kvm_usable(timeout=10):
    """(usable, reason) for hardware acceleration on this host."""
    if not os.path.exists('/dev/kvm'):
        return False, '/dev/kvm does not exist'
    try:
        fd = os.open('/dev/kvm', os.O_RDWR)
        os.close(fd)
    except OSError as exc:
        return False, 'cannot open /dev/kvm: %s' % exc.strerror
    ok, detail = run_probe('kvm', timeout=timeout)
    LOG.info('KVM probe: %s', detail)
    return ok, detail
