"""Objects on disk: ``<devices>/<dev>/objects/<part>/<suffix>/<hash>/<timestamp>.<ext>``.

``.data`` holds an object version, ``.ts`` is a tombstone, ``.meta`` holds metadata set
by a later POST.  Each file carries its metadata in a trailer after the body: the JSON
metadata, then ``CSMD`` and its length as 12 decimal digits.  One file per version means
one fsync and one atomic rename publish body and metadata together; ext4 here caps all
xattrs of a file at one 4 KiB block (measured), too small for Swift's metadata limits.
"""
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid

from objectstore.ring import utils as ring_utils
from objectstore.storage import timestamp

TRAILER_MAGIC = b'CSMD'
TRAILER_LEN = len(TRAILER_MAGIC) + 12
EXTS = ('.data', '.ts', '.meta')
# Metadata a POST replaces; everything else belongs to the object version.
POST_KEYS_PREFIXES = ('x-object-meta-', 'x-object-transient-sysmeta-')
POST_KEYS = ('x-delete-at', 'content-disposition', 'content-encoding', 'x-object-manifest',
             'x-object-sysmeta-')


class DiskFileError(Exception):
    """A file on disk is unreadable or malformed (a candidate for quarantine)."""


def post_key(name):
    low = name.lower()
    return low.startswith(POST_KEYS_PREFIXES) or low in POST_KEYS


def fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_metadata(path):
    """(metadata dict, body length) of a diskfile; DiskFileError if malformed."""
    try:
        with open(path, 'rb') as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < TRAILER_LEN:
                raise DiskFileError('%s: too short for a trailer' % path)
            handle.seek(size - TRAILER_LEN)
            trailer = handle.read(TRAILER_LEN)
            if not trailer.startswith(TRAILER_MAGIC) or not trailer[4:].isdigit():
                raise DiskFileError('%s: bad trailer' % path)
            meta_len = int(trailer[4:])
            body_len = size - TRAILER_LEN - meta_len
            if body_len < 0:
                raise DiskFileError('%s: metadata length beyond the file' % path)
            handle.seek(body_len)
            metadata = json.loads(handle.read(meta_len).decode('utf-8'))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DiskFileError('%s: bad metadata: %s' % (path, exc))
    if not isinstance(metadata, dict):
        raise DiskFileError('%s: metadata is not an object' % path)
    return metadata, body_len


def split_name(filename):
    """(timestamp, ext) of a diskfile name, or (None, None) for anything else."""
    base, ext = os.path.splitext(filename)
    if ext not in EXTS:
        return None, None
    try:
        if timestamp.normalize(base) != base:
            return None, None
    except ValueError:
        return None, None
    return base, ext


def cleanup(hash_dir, reclaim_age=None, now=None):
    """Remove files a newer one supersedes (and old tombstones); return what is left, newest first.

    Kept: the newest .data or .ts, and the newest .meta if it is newer than a kept .data."""
    try:
        names = os.listdir(hash_dir)
    except FileNotFoundError:
        return []
    files = []
    for name in names:
        ts, ext = split_name(name)
        if ts is None:
            if name.startswith('.tmp'):
                continue
            files.append((None, None, name))  # unknown: left alone, never served
            continue
        files.append((ts, ext, name))
    versioned = sorted((f for f in files if f[0]), reverse=True)
    keep, remove = [], []
    base = None
    newest_meta = None
    for ts, ext, name in versioned:
        if ext == '.meta':
            if base is None and newest_meta is None:
                newest_meta = name
                keep.append(name)
            elif base is None:
                remove.append(name)
            else:
                remove.append(name)
            continue
        if base is None:
            base = (ts, ext)
            keep.append(name)
        else:
            remove.append(name)
    if base is not None and base[1] == '.ts':
        if newest_meta is not None:
            keep.remove(newest_meta)
            remove.append(newest_meta)
        if reclaim_age is not None and \
                float(base[0]) < (time.time() if now is None else now) - reclaim_age:
            keep.remove(base[0] + '.ts')
            remove.append(base[0] + '.ts')
    for name in remove:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(hash_dir, name))
    if not keep and not any(f[0] is None for f in files):
        with contextlib.suppress(OSError):
            os.rmdir(hash_dir)
    return sorted(keep, reverse=True)


class DiskFile:
    """One object's directory on one device."""

    def __init__(self, devices, device, partition, account, container, obj):
        self._setup(os.path.join(devices, device), partition,
                    ring_utils.hash_path(account, container, obj))
        self.name = '/%s/%s/%s' % (account, container, obj)

    @classmethod
    def from_hash_dir(cls, hash_dir):
        """The DiskFile of an existing ``.../objects/<part>/<suffix>/<hash>`` directory."""
        self = cls.__new__(cls)
        part_path = os.path.dirname(os.path.dirname(hash_dir))
        self._setup(os.path.dirname(os.path.dirname(part_path)), os.path.basename(part_path),
                    os.path.basename(hash_dir))
        self.name = None
        return self

    def _setup(self, device_path, partition, obj_hash):
        self.device_path = device_path
        self.partition = str(partition)
        self.hash = obj_hash
        self.part_path = os.path.join(self.device_path, 'objects', self.partition)
        self.hash_dir = os.path.join(self.part_path, self.hash[-3:], self.hash)

    # reading -----------------------------------------------------------
    def open(self):
        """State of the object: ('missing'|'deleted'|'present', metadata, data path, body length).

        Metadata is the .data's merged with a newer .meta; raises DiskFileError on a
        malformed file so the caller answers without serving it."""
        names = cleanup(self.hash_dir)
        base = next((n for n in names if not n.endswith('.meta')), None)
        meta_name = next((n for n in names if n.endswith('.meta')), None)
        if base is None:
            return 'missing', {}, None, 0
        path = os.path.join(self.hash_dir, base)
        metadata, body_len = read_metadata(path)
        if base.endswith('.ts'):
            return 'deleted', metadata, None, 0
        if meta_name:
            extra, _ = read_metadata(os.path.join(self.hash_dir, meta_name))
            metadata = {k: v for k, v in metadata.items() if not post_key(k)}
            metadata.update({k: v for k, v in extra.items() if post_key(k)})
            metadata['X-Meta-Timestamp'] = extra['X-Timestamp']
        return 'present', metadata, path, body_len

    # writing -----------------------------------------------------------
    def tmp_dir(self):
        path = os.path.join(self.device_path, 'tmp')
        os.makedirs(path, exist_ok=True)
        return path

    def writer(self, fsync_every=8 * 1024 * 1024):
        return DiskFileWriter(self, fsync_every)

    def write_metadata_only(self, metadata, ext):
        """Write a .ts or .meta carrying ``metadata``."""
        writer = self.writer()
        try:
            writer.commit(metadata, ext)
        finally:
            writer.close()


class DiskFileWriter:
    """Streams a body into a temp file, then publishes it with fsync + rename."""

    def __init__(self, diskfile, fsync_every=8 * 1024 * 1024):
        self.diskfile = diskfile
        self.fsync_every = fsync_every
        self.tmp_path = os.path.join(diskfile.tmp_dir(), '.tmp-%s' % uuid.uuid4().hex)
        self.handle = open(self.tmp_path, 'wb')
        self.md5 = hashlib.md5()
        self.size = 0
        self._unsynced = 0

    def write(self, chunk):
        self.handle.write(chunk)
        self.md5.update(chunk)
        self.size += len(chunk)
        self._unsynced += len(chunk)
        if self._unsynced >= self.fsync_every:
            self.handle.flush()
            os.fdatasync(self.handle.fileno())
            self._unsynced = 0

    def commit(self, metadata, ext):
        """Append the trailer, fsync, rename to ``<X-Timestamp><ext>``, drop superseded files."""
        meta = json.dumps(metadata, separators=(',', ':')).encode('utf-8')
        self.handle.write(meta + TRAILER_MAGIC + b'%012d' % len(meta))
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        publish(self.tmp_path, self.diskfile.hash_dir, metadata['X-Timestamp'] + ext)
        invalidate_suffix(self.diskfile.part_path, self.diskfile.hash[-3:])

    def close(self):
        if not self.handle.closed:
            self.handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.tmp_path)


def publish(tmp_path, hash_dir, filename):
    """Atomically move a finished temp file into ``hash_dir`` and clean superseded ones."""
    os.makedirs(hash_dir, exist_ok=True)
    os.rename(tmp_path, os.path.join(hash_dir, filename))
    fsync_dir(hash_dir)
    cleanup(hash_dir)


# suffix hashes (what replication compares) ---------------------------------
HASHES_FILE = 'hashes.json'
INVALID_FILE = 'hashes.invalid'


def invalidate_suffix(part_path, suffix):
    """Record that ``suffix`` changed; O_APPEND keeps concurrent writers from clobbering."""
    os.makedirs(part_path, exist_ok=True)
    fd = os.open(os.path.join(part_path, INVALID_FILE), os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, (suffix + '\n').encode())
    finally:
        os.close(fd)


@contextlib.contextmanager
def part_lock(part_path):
    fd = os.open(os.path.join(part_path, '.lock'), os.O_WRONLY | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def hash_suffix(suffix_path, reclaim_age):
    """md5 over the hash dirs' surviving file names; None when the suffix is empty (removed)."""
    digest = hashlib.md5()
    found = False
    for hash_name in sorted(os.listdir(suffix_path)):
        kept = cleanup(os.path.join(suffix_path, hash_name), reclaim_age)
        if kept:
            found = True
            digest.update(hash_name.encode())
            for name in kept:
                digest.update(name.encode())
    if not found:
        with contextlib.suppress(OSError):
            os.rmdir(suffix_path)
        return None
    return digest.hexdigest()


def get_hashes(part_path, reclaim_age, recalculate=()):
    """{suffix: md5} of a partition, recomputing invalidated and ``recalculate`` suffixes.

    Every suffix is rehashed at least every min(reclaim_age, 1 h): rehashing is what
    removes expired tombstones, and an unchanged suffix would otherwise never be looked at."""
    if not os.path.isdir(part_path):
        return {}
    with part_lock(part_path):
        saved = {}
        with contextlib.suppress(FileNotFoundError, ValueError):
            with open(os.path.join(part_path, HASHES_FILE)) as handle:
                saved = json.load(handle)
        hashes = saved.get('hashes', {}) if isinstance(saved, dict) else {}
        full_at = saved.get('full_at', 0) if isinstance(saved, dict) else 0
        now = time.time()
        full = now - full_at >= min(reclaim_age, 3600)
        invalid_path = os.path.join(part_path, INVALID_FILE)
        stale = set(recalculate)
        with contextlib.suppress(FileNotFoundError):
            with open(invalid_path, 'r+') as handle:
                stale.update(line.strip() for line in handle if line.strip())
                handle.truncate(0)
        present = {n for n in os.listdir(part_path) if len(n) == 3 and
                   all(c in '0123456789abcdef' for c in n)}
        result = {}
        for suffix in present:
            value = hashes.get(suffix)
            if full or value is None or suffix in stale:
                value = hash_suffix(os.path.join(part_path, suffix), reclaim_age)
            if value is not None:
                result[suffix] = value
        tmp = os.path.join(part_path, '.tmp-hashes')
        with open(tmp, 'w') as handle:
            json.dump({'hashes': result, 'full_at': now if full else full_at}, handle)
        os.rename(tmp, os.path.join(part_path, HASHES_FILE))
        return result


def list_suffix(part_path, suffix):
    """{hash: [file names]} of one suffix (after cleanup)."""
    suffix_path = os.path.join(part_path, suffix)
    out = {}
    if os.path.isdir(suffix_path):
        for hash_name in os.listdir(suffix_path):
            kept = cleanup(os.path.join(suffix_path, hash_name))
            if kept:
                out[hash_name] = kept
    return out


def quarantine(device_path, hash_dir):
    """Move a bad object directory aside so it is never served; replication restores it."""
    target_root = os.path.join(device_path, 'quarantined', 'objects')
    os.makedirs(target_root, exist_ok=True)
    target = os.path.join(target_root, os.path.basename(hash_dir))
    if os.path.exists(target):
        target += '-' + uuid.uuid4().hex
    os.rename(hash_dir, target)
    part_path = os.path.dirname(os.path.dirname(hash_dir))
    invalidate_suffix(part_path, os.path.basename(os.path.dirname(hash_dir)))
    return target


def remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)
