"""Per-host image cache: each image is downloaded once, verified, and shared read-only as
the backing file of the servers' qcow2 overlays.

Layout of ``base_dir``: ``<image id>.qcow2`` or ``<image id>.raw`` (images),
``ephemeral-<N>G-ext4.raw`` and ``swap-<N>M.raw`` (blank formatted disks),
``.<name>.lock`` (who is filling an entry) and ``.<name>.part-*`` (a download in flight).
"""
import errno
import fcntl
import logging
import os
import threading
import time

from common import diskimage
from compute.drivers import base
from compute.drivers.libvirt import disks

LOG = logging.getLogger(__name__)

DIRECT_FORMATS = ('qcow2', 'raw')             # used as backing files as they are
CONVERTED_FORMATS = ('vmdk', 'vdi', 'vhd', 'vhdx')   # turned into qcow2 once
_QEMU_FORMAT = diskimage.QEMU_FORMAT


class ImageCache:
    def __init__(self, base_dir):
        self.base_dir = base_dir
        os.makedirs(base_dir, mode=0o755, exist_ok=True)
        # QEMU (another user) opens the cached images as backing files; makedirs' mode is
        # cut by the daemon's umask (devstack runs with 077), so set it explicitly.
        os.chmod(base_dir, 0o711)
        self._locks = {}
        self._locks_guard = threading.Lock()

    # -- locking: one filler per entry, across threads and processes

    def _thread_lock(self, name):
        with self._locks_guard:
            return self._locks.setdefault(name, threading.Lock())

    class _EntryLock:
        def __init__(self, cache, name):
            self.thread_lock = cache._thread_lock(name)
            self.path = os.path.join(cache.base_dir, '.%s.lock' % name)
            self.fd = None

        def __enter__(self):
            self.thread_lock.acquire()
            try:
                self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
                # Non-blocking polls: a blocking flock would stall a whole eventlet process.
                while True:
                    try:
                        fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        return self
                    except OSError as exc:
                        if exc.errno not in (errno.EAGAIN, errno.EACCES):
                            raise
                        time.sleep(0.1)
            except BaseException:
                if self.fd is not None:
                    os.close(self.fd)
                self.thread_lock.release()
                raise

        def __exit__(self, *exc):
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.thread_lock.release()

    def _lock(self, name):
        return self._EntryLock(self, name)

    # -- images

    def path_of(self, image_id):
        """(path, format) of a cached image, or (None, None)."""
        for fmt in DIRECT_FORMATS:
            path = os.path.join(self.base_dir, '%s.%s' % (image_id, fmt))
            if os.path.exists(path):
                return path, fmt
        return None, None

    def fetch(self, image_meta, image_fetcher):
        """(path, format) of ``image_meta``'s data in the cache, downloading it if needed."""
        image_id = image_meta.id
        fmt = image_meta.disk_format
        if fmt not in DIRECT_FORMATS + CONVERTED_FORMATS:
            raise base.ImageUnacceptable('disk_format %r cannot boot a server here; use '
                                         'qcow2 or raw' % fmt)
        with self._lock(image_id):
            path, cached_fmt = self.path_of(image_id)
            if path:
                os.utime(path)      # last use, for pruning
                return path, cached_fmt
            if image_fetcher is None:
                raise base.VirtError('image %s is not cached and no way to fetch it was '
                                     'given' % image_id)
            tmp = os.path.join(self.base_dir, '.%s.part-%d' % (image_id, os.getpid()))
            try:
                self._download(image_meta, image_fetcher, tmp)
                if fmt in CONVERTED_FORMATS:
                    disks.check_image(tmp, _QEMU_FORMAT.get(fmt, fmt))
                    converted = tmp + '.qcow2'
                    try:
                        disks.convert(tmp, _QEMU_FORMAT.get(fmt, fmt), converted, 'qcow2')
                        os.replace(converted, tmp)
                    finally:
                        disks.remove(converted)
                    fmt = 'qcow2'
                else:
                    disks.check_image(tmp, fmt)
                os.chmod(tmp, 0o644)
                final = os.path.join(self.base_dir, '%s.%s' % (image_id, fmt))
                os.replace(tmp, final)
            finally:
                disks.remove(tmp)
            LOG.info('cached image %s (%s) as %s', image_id, image_meta.disk_format, final)
            return final, fmt

    @staticmethod
    def _download(image_meta, image_fetcher, tmp):
        disks.download_verified(image_fetcher(image_meta.id), tmp, image_meta)

    # -- blank disks shared by every server of the same size

    def ephemeral_base(self, size_gb):
        name = 'ephemeral-%dG-ext4.raw' % size_gb
        return self._blank(name, size_gb * disks.GiB,
                           lambda p: disks.make_ext4(p, 'ephemeral0'))

    def swap_base(self, size_mb):
        name = 'swap-%dM.raw' % size_mb
        return self._blank(name, size_mb * disks.MiB, disks.make_swap)

    def _blank(self, name, size, format_fn):
        path = os.path.join(self.base_dir, name)
        with self._lock(name):
            if not os.path.exists(path):
                tmp = '%s.part-%d' % (os.path.join(self.base_dir, '.' + name), os.getpid())
                try:
                    disks.create_raw(tmp, size)
                    format_fn(tmp)
                    os.chmod(tmp, 0o644)
                    os.replace(tmp, path)
                finally:
                    disks.remove(tmp)
            os.utime(path)
        return path

    # -- pruning

    def prune(self, in_use, min_age):
        """Remove cache entries not in ``in_use`` (backing paths of existing disks) and
        unused for ``min_age`` seconds; return the removed paths."""
        removed = []
        in_use = {os.path.realpath(p) for p in in_use}
        now = time.time()
        for name in sorted(os.listdir(self.base_dir)):
            if name.startswith('.'):
                continue
            path = os.path.join(self.base_dir, name)
            if os.path.realpath(path) in in_use:
                continue
            with self._lock(_entry_lock_name(name)):
                try:
                    if now - os.stat(path).st_mtime < min_age:
                        continue
                    os.unlink(path)
                except FileNotFoundError:
                    continue
            removed.append(path)
            LOG.info('removed unused cache entry %s', path)
        return removed


def _entry_lock_name(file_name):
    """The lock an entry was filled under: the image id for images, else the file name."""
    if file_name.startswith(('ephemeral-', 'swap-')):
        return file_name
    return file_name.rsplit('.', 1)[0]
