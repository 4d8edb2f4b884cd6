"""Helpers of the tgt integration tests: a private tgtd, and QEMU's iSCSI initiator
(qemu-io, qemu-img over libiscsi) driven with connection info as compute gets it.

The private tgtd runs on its own control port and iSCSI port (tools/tgt.sh with
TGT_CONTROL_PORT / TGT_PORTAL), so restarting it cannot touch another cloud's targets.
(A module of its own: test files cannot import from conftest.py.)
"""
import os
import random
import shutil
import socket
import subprocess
import tempfile

from blockstore.drivers import tgt as tgt_mod

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
TGT_SCRIPT = os.path.join(REPO, 'tools', 'tgt.sh')
REQUIRED = ('tgtd', 'tgtadm', 'qemu-img', 'qemu-io')
ISCSI_MODULE = '/usr/lib/x86_64-linux-gnu/qemu/block-iscsi.so'
INITIATOR = 'iqn.2024-01.org.cirrostack:tgt-test-host'
TIMINGS = {}


def skip_reason():
    if os.geteuid() != 0:
        return 'needs root (tgtd)'
    missing = [t for t in REQUIRED if shutil.which(t) is None]
    if missing:
        return 'missing tools: %s' % ', '.join(missing)
    if not os.path.exists(ISCSI_MODULE):
        return 'QEMU has no iSCSI initiator (qemu-block-extra)'
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class PrivateTgtd:
    """A tgtd of this test run only; ``stop`` removes every target and account on it."""

    def __init__(self):
        used = set(os.listdir('/var/run/tgtd')) if os.path.isdir('/var/run/tgtd') else set()
        self.control_port = random.choice([p for p in range(200, 900)
                                           if 'socket.%d' % p not in used])
        self.iscsi_port = free_port()
        self.env = dict(os.environ, TGT_CONTROL_PORT=str(self.control_port),
                        TGT_PORTAL='127.0.0.1:%d' % self.iscsi_port)
        self.adm = tgt_mod.TgtAdm(control_port=self.control_port)

    def _script(self, verb):
        return subprocess.run([TGT_SCRIPT, verb], env=self.env, capture_output=True,
                              text=True, timeout=60)

    def start(self):
        done = self._script('start')
        assert done.returncode == 0, done.stderr

    def stop(self):
        if self.adm.alive():
            for target in self.adm.show():
                self.adm.delete_target(target.tid)
            for user in self.adm.accounts():
                self.adm.delete_account(user)
        done = self._script('stop')
        assert done.returncode == 0, done.stderr

    def restart(self):
        self._script('stop')
        self.start()

    def show_text(self):
        return subprocess.run(['tgtadm', '-C', str(self.control_port), '--lld', 'iscsi',
                               '--mode', 'target', '--op', 'show'], capture_output=True,
                              text=True, check=True).stdout


class Initiator:
    """QEMU's initiator logging in with a connection info's data; the CHAP secret goes
    through a 0600 file, never a command line."""

    def __init__(self, workdir, name=INITIATOR):
        self.workdir = workdir
        self.name = name

    def _args(self, data, password=None, user=None):
        fd, secret = tempfile.mkstemp(dir=self.workdir, prefix='chap-')
        with os.fdopen(fd, 'w') as f:
            f.write(password if password is not None else data['auth_password'])
        host, _, port = data['target_portal'].rpartition(':')
        opts = ('driver=iscsi,transport=tcp,portal=%s:%s,target=%s,lun=%d,user=%s,'
                'password-secret=chap0,initiator-name=%s'
                % (host, port, data['target_iqn'], data['target_lun'],
                   user or data['auth_username'], self.name))
        return ['--object', 'secret,id=chap0,file=%s' % secret], opts, secret

    def io(self, data, *commands, password=None, user=None, timeout=120):
        """Run qemu-io commands on the LUN; CompletedProcess (output in .stdout)."""
        objects, opts, secret = self._args(data, password, user)
        cmd = ['qemu-io'] + objects + ['--image-opts', opts]
        for command in commands:
            cmd += ['-c', command]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        finally:
            os.unlink(secret)

    def img(self, data, verb, *args, password=None, timeout=600):
        """qemu-img <verb> with the LUN as --image-opts (or --target-image-opts for
        convert's target when ``verb`` is 'convert-to')."""
        objects, opts, secret = self._args(data, password)
        if verb == 'convert-to':
            cmd = ['qemu-img', 'convert', '-n'] + objects + ['-f', 'raw',
                                                            '--target-image-opts',
                                                            args[0], opts]
        elif verb == 'read-all':        # the whole LUN read, the data discarded
            cmd = ['qemu-img', 'convert', '-n'] + objects + [
                '--image-opts', opts, '--target-image-opts',
                'driver=null-co,size=%d' % args[0]]
        else:
            cmd = ['qemu-img', verb] + objects + list(args) + ['--image-opts', opts]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        finally:
            os.unlink(secret)

    def size(self, data):
        done = self.img(data, 'info', '--output=json')
        assert done.returncode == 0, done.stderr
        import json
        return json.loads(done.stdout)['virtual-size']
