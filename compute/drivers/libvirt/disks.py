"""Disk files through qemu-img and mkfs: overlays, growth, conversion, inspection.

Formats are always given explicitly (-f/-F): a guest can write a qcow2 header into a raw
disk, and probing it later would let that header name host files as backing.
"""
import contextlib
import os

from common import diskimage
from compute.drivers import base

GiB = diskimage.GiB
MiB = diskimage.MiB


@contextlib.contextmanager
def _virt_errors():
    """common.diskimage's errors as the virt driver's."""
    try:
        yield
    except diskimage.ImageUnacceptable as exc:
        raise base.ImageUnacceptable(str(exc)) from None
    except diskimage.DiskImageError as exc:
        raise base.VirtError(str(exc)) from None


def _run(cmd, timeout=600):
    with _virt_errors():
        return diskimage.run(cmd, timeout=timeout)


def info(path, fmt=None):
    """``qemu-img info`` as a dict (see common.diskimage.info)."""
    with _virt_errors():
        return diskimage.info(path, fmt)


def virtual_size(path, fmt):
    return int(info(path, fmt)['virtual-size'])


def create_overlay(backing, backing_fmt, path, size_bytes=None):
    """A qcow2 file at ``path`` on top of ``backing``, optionally larger than it."""
    cmd = ['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', backing_fmt, '-b', backing, path]
    if size_bytes:
        cmd.append(str(size_bytes))
    _run(cmd)
    os.chmod(path, 0o600)


def resize(path, fmt, size_bytes):
    """Grow ``path`` to ``size_bytes`` (never shrinks: the caller checks first)."""
    _run(['qemu-img', 'resize', '-q', '-f', fmt, path, str(size_bytes)])


def convert(src, src_fmt, dst, dst_fmt, force_share=False):
    """Write ``src`` as a standalone ``dst`` (no backing file)."""
    with _virt_errors():
        diskimage.convert(src, src_fmt, dst, dst_fmt, force_share=force_share)


def create_raw(path, size_bytes):
    with open(path, 'wb') as f:
        f.truncate(size_bytes)
    os.chmod(path, 0o600)


def make_ext4(path, label):
    """An ext4 file system filling the raw file ``path`` (the ephemeral disk)."""
    _run(['mkfs.ext4', '-q', '-F', '-L', label, '-E', 'lazy_itable_init=1,nodiscard', path])


def make_swap(path):
    _run(['mkswap', '-L', 'swap0', path])


def copy_sparse(src, dst):
    """Copy a disk file keeping holes (resize backups of overlays are small)."""
    _run(['cp', '--sparse=always', '--preserve=mode', src, dst])


def check_image(path, claimed_format):
    """Refuse an image whose content does not match ``claimed_format`` or that points at
    other files (backing or external data file); return its qemu-img info."""
    with _virt_errors():
        return diskimage.check_image(path, claimed_format)


remove = diskimage.remove


def download_verified(chunks, path, image_meta):
    """Write an image's chunks to ``path``, checked against ``image_meta``'s hash and size."""
    with _virt_errors():
        return diskimage.download_verified(
            chunks, path, image_meta.id, image_meta.size, image_meta.checksum,
            image_meta.os_hash_algo, image_meta.os_hash_value)
