"""A store keeping each image as one file in a directory.

Data is written under a temporary name and renamed once complete and synced, so a file
with an image's final name is always whole; a crash leaves only ``.part`` files, which
``cleanup_partial`` removes.
"""
import errno
import glob
import os
import uuid

from common import config
from image.stores import base

OPTS = [
    config.StrOpt('filesystem_store_datadir', default=None,
                  help='Directory of this store\'s image files (default: '
                       '<state_path>/images/<store name>).'),
    config.IntOpt('filesystem_store_file_perm', default=0o640, min=0, max=0o777,
                  help='Mode bits of image files (decimal as read; 416 = 0640).'),
]


class FileStore(base.Store):
    type_name = 'file'

    @property
    def datadir(self):
        return self.opts.filesystem_store_datadir or os.path.join(
            self.conf.state_path, 'images', self.name)

    def configure(self):
        try:
            os.makedirs(self.datadir, mode=0o750, exist_ok=True)
        except OSError as exc:
            raise base.StoreError('store %s: cannot create %s: %s'
                                  % (self.name, self.datadir, exc.strerror))
        if not os.access(self.datadir, os.W_OK):
            raise base.StoreError('store %s: %s is not writable' % (self.name, self.datadir))

    def _path(self, url):
        if not url.startswith('file://'):
            raise base.DataNotFound('location %s is not a file URL' % url)
        path = os.path.realpath(url[len('file://'):])
        # Locations come from our own DB, but never read outside our directory regardless.
        if os.path.dirname(path) != os.path.realpath(self.datadir):
            raise base.DataNotFound('location %s is outside store %s' % (url, self.name))
        return path

    def add(self, image_id, chunks, size_hint=None):
        self.configure()
        try:
            path = write_atomically(self.datadir, image_id, chunks,
                                    self.opts.filesystem_store_file_perm)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise base.StorageFull('store %s is full' % self.name)
            raise base.StoreError('store %s: write failed: %s' % (self.name, exc.strerror))
        return 'file://' + path, {}

    def get(self, url, metadata, offset=0, length=None, chunk_size=65536):
        path = self._path(url)
        try:
            handle = open(path, 'rb')
        except FileNotFoundError:
            raise base.DataNotFound('data of %s is missing from store %s' % (url, self.name))
        except OSError as exc:
            raise base.StoreError('store %s: cannot read %s: %s' % (self.name, url, exc.strerror))
        return _read(handle, offset, length, chunk_size)

    def delete(self, url, metadata):
        _unlink(self._path(url))

    def cleanup_partial(self, image_id):
        remove_partial(self.datadir, image_id)
        # Whole data a crash kept from being recorded (the image has no location here).
        _unlink(os.path.join(self.datadir, image_id))


def write_atomically(directory, name, chunks, mode=0o640):
    """Write the chunks to ``directory/name`` via a temporary file; return the final path.

    On any exception (from the disk or from the chunk iterator) the temporary file is
    removed and the exception re-raised, so ``name`` never holds partial data.
    """
    final = os.path.join(directory, name)
    tmp = os.path.join(directory, '.%s.%s.part' % (name, uuid.uuid4().hex))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, 'wb') as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(tmp, final)
    except BaseException:
        _unlink(tmp)
        raise
    return final


def remove_partial(directory, name):
    """Remove temporary files ``write_atomically`` left for ``name`` (after a crash)."""
    for path in glob.glob(os.path.join(glob.escape(directory), '.%s.*.part' % glob.escape(name))):
        _unlink(path)


def _read(handle, offset, length, chunk_size):
    try:
        handle.seek(offset)
        remaining = length
        while remaining is None or remaining > 0:
            data = handle.read(chunk_size if remaining is None else min(chunk_size, remaining))
            if not data:
                break
            if remaining is not None:
                remaining -= len(data)
            yield data
    finally:
        handle.close()


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
