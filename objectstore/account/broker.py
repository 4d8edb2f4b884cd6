"""The account database: one row per container with its last reported stats."""
from objectstore.storage import db
from objectstore.storage import listing

CONTAINER_SCHEMA = '''
CREATE TABLE container (
    name TEXT PRIMARY KEY, put_timestamp TEXT NOT NULL DEFAULT '0',
    delete_timestamp TEXT NOT NULL DEFAULT '0', object_count INTEGER NOT NULL DEFAULT 0,
    bytes_used INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX ix_container_deleted_name ON container (deleted, name);
'''


class AccountBroker(db.Broker):
    ITEM_TABLE = 'container'
    ITEM_TABLE_DIR = 'accounts'
    ITEM_SCHEMA = CONTAINER_SCHEMA
    ITEM_COLUMNS = ('name', 'put_timestamp', 'delete_timestamp', 'object_count',
                    'bytes_used', 'deleted')
    ITEM_TS_COLUMN = 'delete_timestamp'

    def put_container(self, name, put_ts, delete_ts, object_count, bytes_used):
        self.merge_items([{'name': name, 'put_timestamp': put_ts, 'delete_timestamp': delete_ts,
                           'object_count': object_count, 'bytes_used': bytes_used,
                           'deleted': 0}])

    def _merge_item(self, conn, item):
        row = conn.execute('SELECT * FROM container WHERE name = ?', (item['name'],)).fetchone()
        put_ts, delete_ts = item['put_timestamp'], item['delete_timestamp']
        count, used = int(item['object_count']), int(item['bytes_used'])
        if row is not None:
            current = (row['put_timestamp'], row['delete_timestamp'], row['object_count'],
                       row['bytes_used'])
            if put_ts < row['put_timestamp'] or delete_ts < row['delete_timestamp']:
                # A report older than what we know: keep our stats, take newer timestamps.
                count, used = row['object_count'], row['bytes_used']
            put_ts = max(put_ts, row['put_timestamp'])
            delete_ts = max(delete_ts, row['delete_timestamp'])
            if (put_ts, delete_ts, count, used) == current:
                return  # nothing new: keep the ROWID so peers are not resent the row
        deleted = 1 if delete_ts > put_ts else 0
        conn.execute('DELETE FROM container WHERE name = ?', (item['name'],))
        conn.execute('INSERT INTO container (name, put_timestamp, delete_timestamp, '
                     'object_count, bytes_used, deleted) VALUES (?, ?, ?, ?, ?, ?)',
                     (item['name'], put_ts, delete_ts, 0 if deleted else count,
                      0 if deleted else used, deleted))

    def stats(self):
        with self.conn() as conn:
            row = conn.execute('SELECT COUNT(*), IFNULL(SUM(object_count), 0), '
                               'IFNULL(SUM(bytes_used), 0) FROM container WHERE deleted = 0'
                               ).fetchone()
        return tuple(row)

    def list_containers(self, limit, marker='', end_marker='', prefix='', delimiter='',
                        reverse=False):
        """Listing rows (name, count, bytes, last_modified source) or subdir entries."""
        with self.conn() as conn:
            return listing.list_rows(
                conn, 'SELECT name, object_count, bytes_used, put_timestamp FROM container '
                'WHERE deleted = 0', limit, marker, end_marker, prefix, delimiter, reverse)
