"""SQLite databases of accounts and containers: one file per account/container replica.

A database has one ``info`` row (names, put/delete timestamps, metadata, its replica id)
and one item table (objects of a container, containers of an account) whose rows carry
their own timestamps, so replicas merge row by row and the newest change wins.
``incoming_sync`` remembers up to which row each peer replica has been merged.
"""
import contextlib
import json
import os
import sqlite3
import time
import uuid

from objectstore.ring import utils as ring_utils
from objectstore.storage import diskfile

INFO_SCHEMA = '''
CREATE TABLE info (
    account TEXT NOT NULL, container TEXT, created_at TEXT NOT NULL,
    put_timestamp TEXT NOT NULL DEFAULT '0000000000.00000', delete_timestamp TEXT NOT NULL DEFAULT '0000000000.00000',
    status_changed_at TEXT NOT NULL DEFAULT '0000000000.00000', id TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    reported_put_timestamp TEXT NOT NULL DEFAULT '0000000000.00000',
    reported_delete_timestamp TEXT NOT NULL DEFAULT '0000000000.00000',
    reported_object_count INTEGER NOT NULL DEFAULT 0,
    reported_bytes_used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE incoming_sync (remote_id TEXT PRIMARY KEY, sync_point INTEGER NOT NULL);
'''


class DatabaseNotFound(Exception):
    pass


def db_path(devices, device, kind, part, hash_):
    """``<devices>/<dev>/<kind>s/<part>/<suffix>/<hash>/<hash>.db``."""
    return os.path.join(devices, device, kind + 's', str(part), hash_[-3:], hash_, hash_ + '.db')


class Broker:
    """Common life cycle, metadata, timestamps and row replication of one database."""

    ITEM_TABLE = None
    ITEM_SCHEMA = None
    ITEM_COLUMNS = ()

    def __init__(self, path, account=None, container=None):
        self.path = path
        self.account = account
        self.container = container

    # connection --------------------------------------------------------
    @contextlib.contextmanager
    def conn(self, write=False):
        if not os.path.exists(self.path):
            raise DatabaseNotFound(self.path)
        conn = sqlite3.connect(self.path, timeout=25, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            if write:
                conn.execute('BEGIN IMMEDIATE')
            yield conn
            if write:
                conn.execute('COMMIT')
        except BaseException:
            if write and conn.in_transaction:
                conn.execute('ROLLBACK')
            raise
        finally:
            conn.close()

    def exists(self):
        return os.path.exists(self.path)

    def initialize(self, put_timestamp, created_at=None, replica_id=None):
        """Create the database file atomically (built in tmp/, then renamed into place)."""
        if self.exists():
            return False
        dev_root = self.path.split(os.sep + self.ITEM_TABLE_DIR + os.sep)[0]
        tmp_dir = os.path.join(dev_root, 'tmp')
        os.makedirs(tmp_dir, exist_ok=True)
        tmp = os.path.join(tmp_dir, '.tmp-%s.db' % uuid.uuid4().hex)
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.executescript('PRAGMA journal_mode = DELETE;' + INFO_SCHEMA + self.ITEM_SCHEMA)
            conn.execute('INSERT INTO info (account, container, created_at, put_timestamp, '
                         'status_changed_at, id) VALUES (?, ?, ?, ?, ?, ?)',
                         (self.account, self.container, created_at or put_timestamp,
                          put_timestamp, put_timestamp, replica_id or str(uuid.uuid4())))
        finally:
            conn.close()
        with open(tmp, 'rb+') as handle:
            os.fsync(handle.fileno())
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        if self.exists():  # lost a race with a concurrent creator: theirs is as good
            os.unlink(tmp)
            return False
        os.rename(tmp, self.path)
        diskfile.fsync_dir(os.path.dirname(self.path))
        return True

    # info --------------------------------------------------------------
    def info(self):
        with self.conn() as conn:
            row = dict(conn.execute('SELECT * FROM info').fetchone())
        row['metadata'] = json.loads(row['metadata'])
        self.account, self.container = row['account'], row['container']
        return row

    def metadata(self):
        """{name: value} of live metadata (empty values mean deleted)."""
        return {k: v[0] for k, v in self.info()['metadata'].items() if v[0] != ''}

    def update_metadata(self, updates):
        """Merge {name: (value, timestamp)}; a key changes only if the timestamp is newer."""
        with self.conn(write=True) as conn:
            current = json.loads(conn.execute('SELECT metadata FROM info').fetchone()[0])
            for key, (value, ts) in updates.items():
                if key not in current or current[key][1] < ts:
                    current[key] = [value, ts]
            conn.execute('UPDATE info SET metadata = ?', (json.dumps(current),))

    def update_put_timestamp(self, ts):
        with self.conn(write=True) as conn:
            conn.execute('UPDATE info SET put_timestamp = ?, status_changed_at = ? '
                         'WHERE put_timestamp < ?', (ts, ts, ts))

    def mark_deleted(self, ts):
        with self.conn(write=True) as conn:
            conn.execute('UPDATE info SET delete_timestamp = ?, status_changed_at = ? '
                         'WHERE delete_timestamp < ?', (ts, ts, ts))

    def is_deleted(self, info=None):
        info = info or self.info()
        return info['delete_timestamp'] > info['put_timestamp'] and self.live_count() == 0

    def live_count(self):
        with self.conn() as conn:
            return conn.execute('SELECT COUNT(*) FROM %s WHERE deleted = 0'
                                % self.ITEM_TABLE).fetchone()[0]

    # replication -------------------------------------------------------
    def replication_info(self):
        info = self.info()
        with self.conn() as conn:
            info['max_row'] = conn.execute('SELECT IFNULL(MAX(ROWID), -1) FROM %s'
                                           % self.ITEM_TABLE).fetchone()[0]
        return info

    def merge_info(self, other):
        """Take newer timestamps and metadata from another replica's info."""
        with self.conn(write=True) as conn:
            mine = dict(conn.execute('SELECT * FROM info').fetchone())
            meta = json.loads(mine['metadata'])
            for key, (value, ts) in other.get('metadata', {}).items():
                if key not in meta or meta[key][1] < ts:
                    meta[key] = [value, ts]
            put = max(mine['put_timestamp'], other['put_timestamp'])
            delete = max(mine['delete_timestamp'], other['delete_timestamp'])
            changed = max(mine['status_changed_at'], other['status_changed_at'])
            created = min(mine['created_at'], other['created_at'])
            conn.execute('UPDATE info SET put_timestamp=?, delete_timestamp=?, '
                         'status_changed_at=?, created_at=?, metadata=?',
                         (put, delete, changed, created, json.dumps(meta)))

    def get_sync(self, remote_id):
        with self.conn() as conn:
            row = conn.execute('SELECT sync_point FROM incoming_sync WHERE remote_id = ?',
                               (remote_id,)).fetchone()
        return row[0] if row else -1

    def items_since(self, row_id, limit):
        cols = ', '.join(self.ITEM_COLUMNS)
        with self.conn() as conn:
            rows = conn.execute('SELECT ROWID AS row_id, %s FROM %s WHERE ROWID > ? ORDER BY ROWID '
                                'LIMIT ?' % (cols, self.ITEM_TABLE), (row_id, limit)).fetchall()
        return [dict(r) for r in rows]

    def merge_items(self, items, source_id=None, sync_point=None):
        with self.conn(write=True) as conn:
            for item in items:
                self._merge_item(conn, item)
            if source_id is not None and sync_point is not None:
                conn.execute('INSERT OR REPLACE INTO incoming_sync VALUES (?, ?)',
                             (source_id, sync_point))

    def _merge_item(self, conn, item):
        raise NotImplementedError

    def reclaim(self, reclaim_age, now=None):
        """Drop deleted rows older than ``reclaim_age``; True if the whole DB was removed."""
        cutoff = '%016.05f' % ((now or time.time()) - reclaim_age)
        with self.conn(write=True) as conn:
            conn.execute('DELETE FROM %s WHERE deleted = 1 AND %s < ?'
                         % (self.ITEM_TABLE, self.ITEM_TS_COLUMN), (cutoff,))
        info = self.info()
        if self.is_deleted(info) and info['delete_timestamp'] < cutoff:
            diskfile.remove_tree(os.path.dirname(self.path))
            return True
        return False

    def hash(self):
        return os.path.basename(self.path)[:-3]


def name_hash_ok(path, account, container=None):
    return os.path.basename(path) == ring_utils.hash_path(account, container) + '.db'
