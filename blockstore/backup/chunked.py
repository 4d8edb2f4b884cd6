"""Volume backups to an object store: chunked, compressed, incremental, checked on restore.

Objects of a backup, in ``container``, all under ``volume_<volume id>/``:

- ``backup_<backup id>/metadata``: JSON (below), written first with status ``creating``
  and again, complete, with status ``available`` at the end;
- ``backup_<backup id>/chunk_<index>``: the chunks this backup uploaded, each compressed.

Metadata: ``{"format", "backup_id", "volume_id", "parent_id", "status", "size",
"chunk_size", "created_at", "chunks": [{"offset",
"length", "sha256" (of the raw chunk), "object" (the object holding it, maybe an ancestor's;
null for an all-zero chunk), "compression", "stored_size", "md5" (of the stored object)}]}``.

An incremental backup reads its parent's metadata and uploads only the chunks whose
SHA-256 differs from the parent's chunk at the same offset; the others point at the
objects the parent points at.  All-zero chunks are never uploaded (holes of a sparse
volume file are not even read).  Deleting a backup
removes its metadata and then every chunk object under the volume's prefix that no
remaining metadata (complete or still being written) refers to and whose own backup has
no metadata any more, so a parent's chunks stay while a child uses them, and a crashed
backup's chunks go when it is deleted.  Restore checks that the chunks cover the data
without gaps, each stored object's MD5 and each chunk's SHA-256 after decompression.
"""
import datetime
import errno
import hashlib
import io
import json
import logging
import os
import re
import zlib

from common import validators
from blockstore.backup import objectstore

LOG = logging.getLogger(__name__)

FORMAT = 'cirrostack-backup-1'
MiB = 1024 * 1024
DEFAULT_CHUNK_SIZE = 32 * MiB
COMPRESSIONS = ('zstd', 'zlib', 'none')
_CHUNK_OBJECT = re.compile(r'\Avolume_[^/]+/backup_([^/]+)/chunk_\d+\Z')


class BackupError(Exception):
    """A backup, restore or delete failed; the message is fit for the backup's fail
    reason."""


class BackupNotFound(BackupError):
    pass


class BackupCorrupt(BackupError):
    """Stored data does not match its checksums."""


class InvalidBackupInput(BackupError):
    pass


def _zstd():
    try:
        import zstandard
    except ImportError:
        raise BackupError('compression zstd needs the zstandard package') from None
    return zstandard


def compress(data, method, level=None):
    if method == 'zstd':
        return _zstd().ZstdCompressor(level=level or 3).compress(data)
    if method == 'zlib':
        return zlib.compress(data, level or 1)
    return data


def decompress(data, method, length):
    """``data`` decompressed; BackupCorrupt when it cannot be, or is not ``length`` long."""
    try:
        if method == 'zstd':
            raw = _zstd().ZstdDecompressor().decompress(data, max_output_size=length)
        elif method == 'zlib':
            raw = zlib.decompressobj().decompress(data, length)
        elif method == 'none':
            raw = data
        else:
            raise BackupCorrupt('unknown compression %s' % validators.quote(method))
    except (zlib.error, ValueError) as exc:
        raise BackupCorrupt('chunk does not decompress: %s' % exc) from None
    except Exception as exc:           # zstandard.ZstdError
        if type(exc).__name__ == 'ZstdError':
            raise BackupCorrupt('chunk does not decompress: %s' % exc) from None
        raise
    if len(raw) != length:
        raise BackupCorrupt('chunk decompresses to %d bytes, %d expected' % (len(raw), length))
    return raw


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


class ChunkedBackupDriver:
    """Backups of volumes' data (a readable binary file) to ``store``."""

    def __init__(self, store, container='volumebackups', chunk_size=DEFAULT_CHUNK_SIZE,
                 compression='zstd', compression_level=None):
        validators.integer(chunk_size, 'backup chunk_size', 64 * 1024, 1024 * MiB)
        if compression not in COMPRESSIONS:
            raise InvalidBackupInput('compression %s is not one of %s'
                                     % (validators.quote(compression), ', '.join(COMPRESSIONS)))
        if compression == 'zstd':
            _zstd()
        self.store = store
        self.container = validators.identifier(container, 'backup container')
        self.chunk_size = chunk_size
        self.compression = compression
        self.compression_level = compression_level

    # -- names -----------------------------------------------------------------------
    @staticmethod
    def _ids(volume_id, backup_id):
        try:
            return (validators.identifier(volume_id, 'volume id'),
                    validators.identifier(backup_id, 'backup id'))
        except validators.InvalidValue as exc:
            raise InvalidBackupInput(str(exc)) from None

    @staticmethod
    def _prefix(volume_id, backup_id):
        return 'volume_%s/backup_%s/' % (volume_id, backup_id)

    def _metadata_name(self, volume_id, backup_id):
        return self._prefix(volume_id, backup_id) + 'metadata'

    # -- metadata --------------------------------------------------------------------
    def get_metadata(self, volume_id, backup_id):
        """The backup's metadata dict; BackupNotFound without it."""
        volume_id, backup_id = self._ids(volume_id, backup_id)
        try:
            raw = self._store('get_object', self.container,
                              self._metadata_name(volume_id, backup_id))
        except objectstore.ObjectNotFound:
            raise BackupNotFound('backup %s of volume %s has no metadata in the object store'
                                 % (backup_id, volume_id)) from None
        try:
            meta = json.loads(raw)
        except ValueError:
            raise BackupCorrupt('backup %s: metadata is not JSON' % backup_id) from None
        if not isinstance(meta, dict) or meta.get('format') != FORMAT \
                or meta.get('backup_id') != backup_id or meta.get('volume_id') != volume_id:
            raise BackupCorrupt('backup %s: metadata is not this backup\'s' % backup_id)
        return meta

    def _put_metadata(self, meta):
        self._store('put_object', self.container,
                    self._metadata_name(meta['volume_id'], meta['backup_id']),
                    json.dumps(meta, sort_keys=True).encode())

    def _store(self, method, *args):
        try:
            return getattr(self.store, method)(*args)
        except objectstore.ObjectNotFound:
            raise
        except objectstore.ObjectStoreError as exc:
            raise BackupError('object store: %s' % exc) from None

    # -- backup ----------------------------------------------------------------------
    def backup(self, backup_id, volume_id, source, size, parent_id=None, progress=None):
        """Back up ``size`` bytes read from ``source`` (a binary file at offset 0).

        ``parent_id``: an available backup of the same volume; only chunks that changed
        since it are uploaded.  ``progress(done_bytes, total_bytes)`` after each chunk.
        Returns ``{'backup_id', 'volume_id', 'parent_id', 'size', 'chunks',
        'chunks_uploaded', 'chunks_zero', 'stored_bytes', 'container'}``.  On failure the
        chunks uploaded so far stay until ``delete`` (a crashed backup's too)."""
        volume_id, backup_id = self._ids(volume_id, backup_id)
        validators.integer(size, 'backup size', 1, 1 << 50)
        parent_chunks = {}
        if parent_id is not None:
            parent = self.get_metadata(volume_id, parent_id)
            if parent.get('status') != 'available':
                raise InvalidBackupInput('parent backup %s is not complete' % parent_id)
            if parent.get('chunk_size') == self.chunk_size:
                parent_chunks = {c['offset']: c for c in parent['chunks']}
            else:
                LOG.info('backup %s: parent %s has another chunk size; backing up everything',
                         backup_id, parent_id)
        self.store.ensure_container(self.container)
        meta = {'format': FORMAT, 'backup_id': backup_id, 'volume_id': volume_id,
                'parent_id': parent_id, 'status': 'creating', 'size': size,
                'chunk_size': self.chunk_size, 'created_at': _utcnow(), 'chunks': []}
        self._put_metadata(meta)      # from now on delete() finds and removes our chunks
        uploaded = zero = stored = 0
        offset = 0
        while offset < size:
            length = min(self.chunk_size, size - offset)
            data = None if _is_hole(source, offset, length) else _read_exactly(
                source, length, offset)
            if data is None or _all_zero(data):
                entry = {'offset': offset, 'length': length, 'sha256': _zero_sha256(length),
                         'object': None, 'compression': 'none', 'stored_size': 0, 'md5': None}
                meta['chunks'].append(entry)
                zero += 1
                offset += length
                if progress:
                    progress(offset, size)
                continue
            digest = hashlib.sha256(data).hexdigest()
            entry = {'offset': offset, 'length': length, 'sha256': digest}
            previous = parent_chunks.get(offset)
            if previous and previous['sha256'] == digest and previous['length'] == length:
                entry.update({k: previous[k] for k in ('object', 'compression',
                                                       'stored_size', 'md5')})
            else:
                name = '%schunk_%06d' % (self._prefix(volume_id, backup_id),
                                         offset // self.chunk_size)
                body = compress(data, self.compression, self.compression_level)
                md5 = self._store('put_object', self.container, name, body)
                entry.update(object=name, compression=self.compression,
                             stored_size=len(body), md5=md5)
                uploaded += 1
                stored += len(body)
            meta['chunks'].append(entry)
            offset += length
            if progress:
                progress(offset, size)
        meta['status'] = 'available'
        self._put_metadata(meta)
        LOG.info('backup %s of volume %s: %d chunks, %d uploaded (%d bytes), %d zero',
                 backup_id, volume_id, len(meta['chunks']), uploaded, stored, zero)
        return {'backup_id': backup_id, 'volume_id': volume_id, 'parent_id': parent_id,
                'size': size, 'chunks': len(meta['chunks']),
                'chunks_uploaded': uploaded, 'chunks_zero': zero, 'stored_bytes': stored,
                'container': self.container}

    # -- restore ---------------------------------------------------------------------
    def restore(self, backup_id, volume_id, target, target_size, progress=None):
        """Write backup ``backup_id`` (of volume ``volume_id``) into ``target`` (a binary
        file opened for reading and writing, ``target_size`` bytes: a new volume or an
        existing one, at least as large as the backup).  Every chunk is checked; on a
        mismatch BackupCorrupt names it (the target then holds partial data).
        ``progress(done_bytes, total_bytes)`` after each chunk.  Returns the size."""
        meta = self.get_metadata(volume_id, backup_id)
        if meta.get('status') != 'available':
            raise InvalidBackupInput('backup %s is not complete (status %s)'
                                     % (backup_id, meta.get('status')))
        size = meta['size']
        if target_size < size:
            raise InvalidBackupInput('backup %s holds %d bytes; the volume has only %d'
                                     % (backup_id, size, target_size))
        chunks = meta['chunks']
        expected = 0
        for entry in chunks:          # the list covers the data exactly, in order
            if entry['offset'] != expected or entry['length'] <= 0:
                raise BackupCorrupt('backup %s: chunk list has a gap at %d'
                                    % (backup_id, expected))
            expected += entry['length']
        if expected != size:
            raise BackupCorrupt('backup %s: chunks cover %d of %d bytes'
                                % (backup_id, expected, size))
        for entry in chunks:
            length = entry['length']
            if entry['object'] is None:
                if entry['sha256'] != _zero_sha256(length):
                    raise BackupCorrupt('backup %s: chunk at offset %d has no object'
                                        % (backup_id, entry['offset']))
                _write_zeros(target, entry['offset'], length)
            else:
                try:
                    body = self._store('get_object', self.container, entry['object'])
                except objectstore.ObjectNotFound:
                    raise BackupCorrupt('backup %s: chunk %s is missing' % (
                        backup_id, entry['object'])) from None
                if entry.get('md5') and hashlib.md5(
                        body, usedforsecurity=False).hexdigest() != entry['md5']:
                    raise BackupCorrupt('backup %s: chunk %s was changed in the object store'
                                        % (backup_id, entry['object']))
                data = decompress(body, entry['compression'], length)
                if hashlib.sha256(data).hexdigest() != entry['sha256']:
                    raise BackupCorrupt('backup %s: chunk at offset %d does not match its '
                                        'checksum' % (backup_id, entry['offset']))
                target.seek(entry['offset'])
                target.write(data)
            if progress:
                progress(entry['offset'] + length, size)
        target.flush()
        try:
            os.fsync(target.fileno())
        except (AttributeError, OSError, ValueError):
            pass                      # not a real file (tests); nothing to sync
        return size

    # -- delete ----------------------------------------------------------------------
    def delete(self, backup_id, volume_id):
        """Remove the backup's metadata and every chunk object of the volume that no
        remaining backup uses (its own, and those of earlier deleted or crashed backups).
        Returns the number of objects removed; a backup already gone is fine."""
        volume_id, backup_id = self._ids(volume_id, backup_id)
        volume_prefix = 'volume_%s/' % volume_id
        names = self._store('list_objects', self.container, volume_prefix)
        own_meta = self._metadata_name(volume_id, backup_id)
        removed = 0
        if own_meta in names:
            self._store('delete_object', self.container, own_meta)
            removed += 1
        referenced, with_metadata = set(), set()
        for name in names:
            if not name.endswith('/metadata') or name == own_meta:
                continue
            other = name[len(volume_prefix):].split('/', 1)[0][len('backup_'):]
            with_metadata.add(other)
            try:
                meta = self.get_metadata(volume_id, other)
            except BackupNotFound:
                with_metadata.discard(other)       # deleted meanwhile
                continue
            except BackupCorrupt:
                LOG.warning('backup %s: unreadable metadata kept with its chunks', other)
                continue
            referenced.update(c['object'] for c in meta['chunks'] if c['object'])
        for name in names:
            match = _CHUNK_OBJECT.match(name)
            if not match or name in referenced or match.group(1) in with_metadata:
                continue
            self._store('delete_object', self.container, name)
            removed += 1
        LOG.info('deleted backup %s of volume %s (%d objects)', backup_id, volume_id, removed)
        return removed


def _read_exactly(source, length, offset):
    data = source.read(length)
    while len(data) < length:
        more = source.read(length - len(data))
        if not more:
            raise BackupError('volume data ended at %d bytes, %d expected'
                              % (offset + len(data), offset + length))
        data += more
    return data


_ZERO_SHA256 = {}


def _zero_sha256(length):
    if length not in _ZERO_SHA256:
        _ZERO_SHA256[length] = hashlib.sha256(bytes(length)).hexdigest()
    return _ZERO_SHA256[length]


def _all_zero(data):
    return data.count(0) == len(data)


def _is_hole(fileobj, offset, length):
    """Is [offset, offset+length) of a real file a hole (reads as zeros, holds no data)?
    False when it cannot tell (not a file, no SEEK_DATA)."""
    try:
        fd = fileobj.fileno()
        try:
            found = os.lseek(fd, offset, os.SEEK_DATA)
        except OSError as exc:
            if exc.errno != errno.ENXIO:      # ENXIO: only holes up to the end
                return False
            return True
        return found >= offset + length
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False
    finally:
        try:
            fileobj.seek(offset)              # the file object's own position again
        except (AttributeError, OSError, ValueError):
            pass


def _write_zeros(target, offset, length):
    """Make ``length`` bytes at ``offset`` zero, writing only where they are not (a new,
    sparse volume stays sparse)."""
    if _is_hole(target, offset, length):
        return
    target.seek(offset)
    current = target.read(length)
    if len(current) == length and _all_zero(current):
        return
    target.seek(offset)
    target.write(bytes(length))
