"""The network database: opening it, migrating it, and running writes that may lose a race."""
import logging
import random
import time

from sqlalchemy import exc as sa_exc

from common.db import api as db_api
from common.db import migration
from network import exceptions as nexc

LOG = logging.getLogger(__name__)

MIGRATIONS = 'network.db.migrations'


def from_conf(conf):
    return db_api.from_conf(conf, 'network')


def sync(db):
    """Bring the schema to the newest version; returns it."""
    return migration.upgrade(db, MIGRATIONS)


def _retriable(error):
    if isinstance(error, (sa_exc.IntegrityError, nexc.RetryRequest)):
        return True
    if isinstance(error, (sa_exc.OperationalError, sa_exc.InternalError)):
        text = str(error).lower()
        # SQLite busy/locked, MariaDB deadlock/lock wait, PostgreSQL serialization.
        return any(word in text for word in ('locked', 'deadlock', 'lock wait', 'serializ',
                                             'could not obtain lock', 'busy'))
    return False


def transaction(db, func, retries=30):
    """Run ``func(session)`` in one transaction, all of it again if it lost a race.

    Every unique constraint the code relies on is also checked before inserting (which
    gives the user a clear 409), so a constraint violation here means another request
    won the race between check and insert; the rerun then sees its row.
    """
    for attempt in range(retries):
        try:
            with db.session() as sess:
                return func(sess)
        except Exception as error:  # noqa: B902 - filtered right below
            if not _retriable(error):
                raise
            if attempt + 1 == retries:
                LOG.warning('giving up after %d attempts: %s', retries, error)
                raise nexc.Conflict('The request lost a race with concurrent requests %d '
                                    'times; please retry.' % retries)
            # Jitter spreads the retries of requests that collided on the same row.
            time.sleep(random.uniform(0.001, 0.01) * min(attempt + 1, 10))
