"""Engines and transactional sessions for a service's own database.

SQLite is the default; MySQL/MariaDB (``mysql+pymysql://``) and PostgreSQL
(``postgresql://``) work by connection URL.
"""
import contextlib
import logging
import os
import time
import weakref

import sqlalchemy
from sqlalchemy import event, exc as sa_exc, orm

from common import config

LOG = logging.getLogger(__name__)

OPTS = [
    config.StrOpt('connection', default=None,
                  help='SQLAlchemy URL of this service\'s database (default: SQLite file in '
                       'state_path).'),
    config.IntOpt('max_pool_size', default=10, min=1, help='Connections kept in the pool.'),
    config.IntOpt('max_overflow', default=20, min=0, help='Extra connections under load.'),
    config.IntOpt('pool_recycle', default=3600, min=1,
                  help='Seconds after which a pooled connection is replaced (MySQL drops idle '
                       'ones).'),
    config.BoolOpt('echo', default=False, help='Log every SQL statement.'),
]


def register_opts(conf):
    conf.register_opts(OPTS, group='database')


def _normalise_url(url):
    # Bare mysql:// and postgresql:// pick drivers that may be absent; choose ours.
    if url.startswith('mysql://'):
        url = 'mysql+pymysql://' + url[len('mysql://'):]
    if url.startswith('mysql+pymysql://') and 'charset=' not in url:
        url += ('&' if '?' in url else '?') + 'charset=utf8mb4'
    return url


class Database:
    """An engine plus a session factory; ``with db.session() as s:`` commits or rolls back."""

    def __init__(self, url, echo=False, pool_size=10, max_overflow=20, pool_recycle=3600):
        self.url = _normalise_url(url)
        kwargs = {'echo': echo, 'future': True}
        if self.url.startswith('sqlite'):
            kwargs['connect_args'] = {'check_same_thread': False, 'timeout': 30}
            if self.url in ('sqlite://', 'sqlite:///:memory:'):
                kwargs['poolclass'] = sqlalchemy.pool.StaticPool
        else:
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow,
                          pool_recycle=pool_recycle, pool_pre_ping=True)
        self.engine = sqlalchemy.create_engine(self.url, **kwargs)
        if self.url.startswith('sqlite'):
            event.listen(self.engine, 'connect', _sqlite_on_connect)
        self._factory = orm.sessionmaker(bind=self.engine, expire_on_commit=False, future=True)
        _DATABASES.add(self)

    @property
    def dialect(self):
        return self.engine.dialect.name

    @contextlib.contextmanager
    def session(self):
        """A transaction: committed when the block ends, rolled back on any exception."""
        sess = self._factory()
        try:
            yield sess
            sess.commit()
        except BaseException:
            sess.rollback()
            raise
        finally:
            sess.close()

    def retry_on_deadlock(self, func, *args, attempts=5, **kwargs):
        """Run ``func`` again when the database reports a deadlock or a lost race."""
        for attempt in range(attempts):
            try:
                return func(*args, **kwargs)
            except sa_exc.OperationalError as exc:
                text = str(exc).lower()
                if attempt + 1 == attempts or not ('deadlock' in text or 'locked' in text or
                                                   'serializ' in text):
                    raise
                time.sleep(0.05 * (2 ** attempt))

    def dispose(self):
        self.engine.dispose()


# Every Database of this process: a forked child must not use the connections its parent
# pooled (an API parent checks the schema before it forks its workers). Two processes
# talking over one MySQL socket interleave their packets ("Lost connection to MySQL
# server during query", "Command Out of Sync").
_DATABASES = weakref.WeakSet()


def _forget_parent_connections():
    for db in list(_DATABASES):
        # close=False: the sockets are the parent's; the child only drops its references.
        db.engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_parent_connections)


def _sqlite_on_connect(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute('PRAGMA foreign_keys=ON')
    cur.execute('PRAGMA journal_mode=WAL')
    cur.execute('PRAGMA synchronous=NORMAL')
    cur.close()


def from_conf(conf, service):
    """The Database named by ``[database] connection``, default an SQLite file in state_path."""
    url = conf.database.connection
    if not url:
        state = conf.state_path
        os.makedirs(state, exist_ok=True)
        url = 'sqlite:///%s' % os.path.join(state, '%s.sqlite' % service)
    return Database(url, echo=conf.database.echo, pool_size=conf.database.max_pool_size,
                    max_overflow=conf.database.max_overflow,
                    pool_recycle=conf.database.pool_recycle)
