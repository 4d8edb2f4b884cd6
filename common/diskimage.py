"""Disk image files through qemu-img: inspection, safety checks, conversion, verified download.

Shared by compute (image cache, snapshots) and block storage (volumes from images, images
from volumes).  Formats are always given explicitly (-f): a guest can write a qcow2 header
into a raw disk, and probing it later would let that header name host files as backing.
Probing happens only in ``check_image``, on data just downloaded, to compare it with what
the image service claims.
"""
import hashlib
import json
import os

from common.execute import CommandError
from common.execute import execute

GiB = 1024 ** 3
MiB = 1024 ** 2
# qemu-img parsing an untrusted image is bounded (a crafted header can make it churn).
_INFO_LIMITS = ['prlimit', '--as=%d' % (1 * GiB), '--cpu=30', '--']
# The image service's disk_format -> qemu-img's name of it.
QEMU_FORMAT = {'vhd': 'vpc'}
HASH_ALGOS = ('sha512', 'sha384', 'sha256')


class DiskImageError(Exception):
    """A qemu-img (or similar) command failed; the message names the command."""


class ImageUnacceptable(DiskImageError):
    """The image's data cannot be used: checksum, size, format lies or references to other
    files."""


def run(cmd, timeout=600):
    """Run a disk command; its failure becomes a DiskImageError naming the tool."""
    try:
        return execute(cmd, timeout=timeout)
    except CommandError as exc:
        tool = cmd[4] if cmd[0] == 'prlimit' else cmd[0]
        raise DiskImageError('%s failed: %s' % (tool, exc.stderr.strip() or exc)) from None


def qemu_format(disk_format):
    return QEMU_FORMAT.get(disk_format, disk_format)


def info(path, fmt=None):
    """``qemu-img info`` as a dict; fmt None probes (only for files we have not trusted yet,
    and only to compare with what the image service claims)."""
    cmd = _INFO_LIMITS + ['qemu-img', 'info', '--output=json', '-U']
    if fmt:
        cmd += ['-f', fmt]
    return json.loads(run(cmd + [path], timeout=60))


def virtual_size(path, fmt):
    return int(info(path, fmt)['virtual-size'])


def convert(src, src_fmt, dst, dst_fmt, force_share=False, existing_target=False):
    """Write ``src`` as a standalone ``dst`` (no backing file).  ``existing_target``: write
    into ``dst`` as it is (a volume file or block device of its own size) instead of
    creating it; runs of zeros stay holes either way."""
    cmd = ['qemu-img', 'convert', '-q', '-f', src_fmt, '-O', dst_fmt]
    if force_share:
        cmd.append('-U')   # a domain holds the image's lock; it is paused meanwhile
    if existing_target:
        cmd.append('-n')
    run(cmd + [src, dst], timeout=3600)


def check_image(path, claimed_format):
    """Refuse an image whose content does not match ``claimed_format`` (qemu-img's name) or
    that points at other files (backing or external data file); return its qemu-img info."""
    found = info(path)        # probed on purpose: compare with the claim
    fmt = found.get('format')
    if claimed_format == 'raw':
        if fmt != 'raw':
            raise ImageUnacceptable('image claims disk_format raw but holds %s data' % fmt)
        return found
    if fmt != claimed_format:
        raise ImageUnacceptable('image claims disk_format %s but holds %s data'
                                % (claimed_format, fmt))
    if found.get('backing-filename') or found.get('full-backing-filename'):
        raise ImageUnacceptable('image has a backing file; upload a standalone image')
    specific = (found.get('format-specific') or {}).get('data') or {}
    if specific.get('data-file'):
        raise ImageUnacceptable('image has an external data file')
    return found


def download_verified(chunks, path, image_id, size=None, checksum=None, hash_algo=None,
                      hash_value=None):
    """Write the byte ``chunks`` of image ``image_id`` to ``path`` (mode 0600, synced) and
    check them against the image service's hash (``hash_algo``/``hash_value``, preferred)
    or md5 ``checksum``, and its ``size``.  An image with neither hash is refused: its data
    could be anything.  The caller removes ``path`` when this raises."""
    if hash_value and hash_algo:
        if hash_algo not in HASH_ALGOS:
            raise ImageUnacceptable('image hash algorithm %r is not supported' % hash_algo)
        hasher, expected = hashlib.new(hash_algo), hash_value.lower()
    elif checksum:
        hasher, expected = hashlib.md5(usedforsecurity=False), checksum.lower()
    else:
        raise ImageUnacceptable('image %s has no checksum to verify its data against'
                                % image_id)
    written = 0
    with open(path, 'wb') as out:
        os.chmod(path, 0o600)
        for chunk in chunks:
            out.write(chunk)
            hasher.update(chunk)
            written += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    if size is not None and written != size:
        raise ImageUnacceptable('image %s: got %d bytes, the image service says %d'
                                % (image_id, written, size))
    if hasher.hexdigest() != expected:
        raise ImageUnacceptable('image %s: data does not match its checksum' % image_id)
    return written


def remove(path):
    """Delete a file; a missing one is fine."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
