"""Config drive: the server's metadata on an ISO 9660 image labelled ``config-2``.

Guests (cloud-init, our guest image) look for a block device with that label and read
openstack/latest/meta_data.json, user_data, network_data.json, vendor_data2.json and the
ec2/ documents from it before (or instead of) asking the metadata service.
"""
import os
import shutil
import tempfile

from common.execute import CommandError
from common.execute import execute
from compute.drivers import base

LABEL = 'config-2'


def iso_tool():
    """genisoimage, or xorriso's mkisofs emulation where only that is installed."""
    for candidate in ('genisoimage', 'xorrisofs', 'mkisofs'):
        path = shutil.which(candidate)
        if path:
            return path
    raise base.VirtError('no ISO 9660 tool (genisoimage or xorriso) is installed')


def build(target, files):
    """Write ``files`` ({relative path: bytes}) as an ISO at ``target`` (mode 0600: it holds
    user data and maybe an admin password)."""
    work = tempfile.mkdtemp(prefix='configdrive-')   # mode 0700
    try:
        root = os.path.join(work, 'root')
        os.mkdir(root)
        for rel, content in sorted(files.items()):
            path = os.path.normpath(os.path.join(root, rel))
            if not path.startswith(root + os.sep):
                raise base.InvalidInput('config drive path %r leaves the drive' % rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(content)
        tmp = os.path.join(work, 'drive.iso')
        try:
            execute([iso_tool(), '-o', tmp, '-ldots', '-allow-lowercase', '-allow-multidot',
                     '-l', '-publisher', 'cirrostack', '-quiet', '-J', '-r', '-V', LABEL,
                     root], timeout=120)
        except CommandError as exc:
            raise base.VirtError('cannot build the config drive: %s' % exc.stderr.strip())
        os.chmod(tmp, 0o600)
        shutil.move(tmp, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
