"""The container database: one row per object name, newest timestamp wins."""
from objectstore.storage import db
from objectstore.storage import listing

OBJECT_SCHEMA = '''
CREATE TABLE object (
    name TEXT PRIMARY KEY, created_at TEXT NOT NULL, size INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '', etag TEXT NOT NULL DEFAULT '',
    deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX ix_object_deleted_name ON object (deleted, name);
'''


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
