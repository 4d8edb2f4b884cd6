"""The container database: one row per object name, newest timestamp wins."""
import json
import sqlite3

from objectstore.storage import db
from objectstore.storage import listing

OBJECT_SCHEMA = '''
CREATE TABLE object (
    name TEXT PRIMARY KEY, created_at TEXT NOT NULL, size INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '', etag TEXT NOT NULL DEFAULT '',
    deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX ix_object_deleted_name ON object (deleted, name);
'''


# Local to each replica (row ids differ between replicas): never replicated.
SYNC_SCHEMA = ('CREATE TABLE IF NOT EXISTS container_sync '
               '(sync_to TEXT PRIMARY KEY, row_id INTEGER NOT NULL)')


class ContainerBroker(db.Broker):
    ITEM_TABLE = 'object'
    ITEM_TABLE_DIR = 'containers'
    ITEM_SCHEMA = OBJECT_SCHEMA
    ITEM_COLUMNS = ('name', 'created_at', 'size', 'content_type', 'etag', 'deleted')
    ITEM_TS_COLUMN = 'created_at'

    def put_object(self, name, ts, size, content_type, etag, deleted=0):
        self.merge_items([{'name': name, 'created_at': ts, 'size': size,
                           'content_type': content_type, 'etag': etag, 'deleted': deleted}])

    def _merge_item(self, conn, item):
        row = conn.execute('SELECT created_at FROM object WHERE name = ?',
                           (item['name'],)).fetchone()
        if row is not None and row[0] >= item['created_at']:
            return
        # DELETE + INSERT gives the row a new ROWID so peers pick up the change.
        conn.execute('DELETE FROM object WHERE name = ?', (item['name'],))
        conn.execute('INSERT INTO object (name, created_at, size, content_type, etag, deleted) '
                     'VALUES (?, ?, ?, ?, ?, ?)',
                     (item['name'], item['created_at'], int(item['size']),
                      item['content_type'], item['etag'], int(item['deleted'])))

    # container sync: how far this replica has sent its rows to a destination --------
    def sync_settings(self):
        """(X-Container-Sync-To, X-Container-Sync-Key) of a live container that syncs,
        else None; one cheap read, as the sync daemon asks every database each pass."""
        with self.conn() as conn:
            row = conn.execute('SELECT metadata, put_timestamp, delete_timestamp '
                               'FROM info').fetchone()
        if 'sync-to' not in row[0].lower():
            return None
        meta = {k.lower(): v[0] for k, v in json.loads(row[0]).items()}
        sync_to, sync_key = meta.get('x-container-sync-to'), meta.get('x-container-sync-key')
        if not sync_to or not sync_key or (row[2] > row[1] and self.live_count() == 0):
            return None
        return sync_to, sync_key

    def get_sync_point(self, sync_to):
        """The last row id synced to ``sync_to`` (-1: none yet)."""
        with self.conn() as conn:
            try:
                row = conn.execute('SELECT row_id FROM container_sync WHERE sync_to = ?',
                                   (sync_to,)).fetchone()
            except sqlite3.OperationalError:  # a database that never synced has no table
                return -1
        return row[0] if row else -1

    def set_sync_point(self, sync_to, row_id):
        """Remember ``row_id`` for ``sync_to``; the points of other destinations (the
        container pointed elsewhere before) are dropped."""
        with self.conn(write=True) as conn:
            conn.execute(SYNC_SCHEMA)
            conn.execute('DELETE FROM container_sync WHERE sync_to != ?', (sync_to,))
            conn.execute('INSERT OR REPLACE INTO container_sync (sync_to, row_id) '
                         'VALUES (?, ?)', (sync_to, row_id))

    def stats(self):
        with self.conn() as conn:
            count, used = conn.execute('SELECT COUNT(*), IFNULL(SUM(size), 0) FROM object '
                                       'WHERE deleted = 0').fetchone()
        return count, used

    def list_objects(self, limit, marker='', end_marker='', prefix='', delimiter='',
                     reverse=False):
        """Listing rows (dicts) or {'subdir': ...} entries, at most ``limit``."""
        with self.conn() as conn:
            return listing.list_rows(
                conn, 'SELECT name, created_at, size, content_type, etag FROM object '
                'WHERE deleted = 0', limit, marker, end_marker, prefix, delimiter, reverse)
