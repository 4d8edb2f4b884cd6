"""List queries of SQL-backed resources, and writes retried when they lose a race.

A resource describes its filterable attributes as ``{api_name: Field}``; the API layer
hands in the parsed query string and gets a select of one page of rows (``limit + 1``
rows, so the caller knows whether more exist in the paging direction)::

    FIELDS = {'name': query.Field(models.Widget.name),
              'enabled': query.Field(models.Widget.enabled, 'bool')}
    stmt = query.build(models.Widget, FIELDS, scope, {'name': ['a']},
                       [('name', 'asc')], limit=20, marker=marker_row)

Errors are the service's own fault types: pass ``errors=query.Errors(invalid, bad)``.
"""
import logging
import random
import time

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exceptions

LOG = logging.getLogger(__name__)

TRUE = ('true', '1', 'yes', 'on', 'True')
FALSE = ('false', '0', 'no', 'off', 'False')


class Errors:
    """The exception types a query raises: ``invalid_input`` for a bad filter value or
    name, ``bad_request`` for a bad sort key or direction, ``conflict`` when a write
    keeps losing races."""

    def __init__(self, invalid_input=exceptions.BadRequest, bad_request=exceptions.BadRequest,
                 conflict=exceptions.Conflict):
        self.invalid_input = invalid_input
        self.bad_request = bad_request
        self.conflict = conflict


DEFAULT_ERRORS = Errors()


class RetryRequest(Exception):
    """Raised inside a ``transaction`` function to run it again (a lost race noticed)."""


class Field:
    """A filterable, sortable attribute backed by ``column`` (``kind``: str, bool, int).

    ``clause(values)`` may replace the plain ``column IN values`` test (for attributes
    kept in other tables).
    """

    def __init__(self, column, kind='str', clause=None, sortable=True):
        self.column = column
        self.kind = kind
        self._clause = clause
        self.sortable = sortable and column is not None

    def convert(self, name, value, errors=DEFAULT_ERRORS):
        if self.kind == 'bool':
            if value in TRUE:
                return True
            if value in FALSE:
                return False
            raise errors.invalid_input("Invalid input for %s: '%s' is not a boolean."
                                       % (name, value))
        if self.kind == 'int':
            if value in ('', 'None', 'null'):
                return None
            try:
                return int(value)
            except ValueError:
                raise errors.invalid_input("Invalid input for %s: '%s' is not an integer."
                                           % (name, value))
        return value

    def clause(self, name, values, errors=DEFAULT_ERRORS):
        values = [self.convert(name, v, errors) for v in values]
        if self._clause is not None:
            return self._clause(values)
        plain = [v for v in values if v is not None]
        parts = []
        if plain:
            parts.append(self.column.in_(plain))
        if len(plain) != len(values):
            parts.append(self.column.is_(None))
        return sa.or_(*parts)


def build(model, fields, scope, filters, sorts, limit=None, marker=None, page_reverse=False,
          errors=DEFAULT_ERRORS):
    """A select of ``model`` rows: visible (``scope``), filtered, sorted, one page.

    ``filters``: {name: [values]}; ``sorts``: [(name, 'asc'|'desc')]; ``marker``: the row
    the page starts after (already looked up, visible), or None.
    """
    stmt = sa.select(model)
    if scope is not None:
        stmt = stmt.where(scope)
    for name, values in filters.items():
        field = fields.get(name)
        if field is None:
            raise errors.invalid_input("Invalid input for operation: '%s' is not an "
                                       "attribute you can filter on." % name)
        stmt = stmt.where(field.clause(name, values, errors))
    keys = []
    for name, direction in sorts:
        field = fields.get(name)
        if field is None or not field.sortable:
            raise errors.bad_request("Attribute '%s' cannot be used to sort." % name)
        if direction not in ('asc', 'desc'):
            raise errors.bad_request("Sort direction '%s' is invalid; use asc or desc."
                                     % direction)
        keys.append((field.column, direction))
    if not any(col is model.id for col, _ in keys):
        # A unique last key makes the order total, so pages never repeat or skip rows.
        keys.append((model.id, 'asc'))
    if page_reverse:
        keys = [(col, 'desc' if d == 'asc' else 'asc') for col, d in keys]
    if marker is not None:
        stmt = stmt.where(after(keys, marker))
    stmt = stmt.order_by(*order(keys))
    if limit is not None:
        stmt = stmt.limit(limit + 1)
    return stmt


def order(keys):
    """ORDER BY terms for ``[(column, 'asc'|'desc')]`` with NULLs lowest on every dialect
    (they disagree natively), the order ``after`` pages through."""
    terms = []
    for col, direction in keys:
        rank = sa.case((col.is_(None), 0), else_=1)
        terms += [rank.asc(), col.asc()] if direction == 'asc' else [rank.desc(), col.desc()]
    return terms


def after(keys, marker):
    """Rows strictly after ``marker`` in the order ``keys`` (a lexicographic keyset test;
    NULL is the lowest value)."""
    ors = []
    for index, (col, direction) in enumerate(keys):
        ands = [_same(prev, getattr(marker, prev.key)) for prev, _ in keys[:index]]
        ands.append(_beyond(col, direction, getattr(marker, col.key)))
        ors.append(sa.and_(*ands))
    return sa.or_(*ors)


def _beyond(col, direction, value):
    if direction == 'asc':
        return col.isnot(None) if value is None else col > value
    return sa.false() if value is None else sa.or_(col < value, col.is_(None))


def _same(col, value):
    return col.is_(None) if value is None else col == value


def page(sess, stmt, limit):
    """Run a ``build`` select: ``(rows, more)`` with at most ``limit`` rows."""
    rows = list(sess.execute(stmt).scalars())
    if limit is not None and len(rows) > limit:
        return rows[:limit], True
    return rows, False


def retriable(error, retry_types=()):
    """True for an error a rerun of the whole transaction may not hit again."""
    if isinstance(error, (sa_exc.IntegrityError, RetryRequest) + tuple(retry_types)):
        return True
    if isinstance(error, (sa_exc.OperationalError, sa_exc.InternalError)):
        text = str(error).lower()
        # SQLite busy/locked, MariaDB deadlock/lock wait, PostgreSQL serialization.
        return any(word in text for word in ('locked', 'deadlock', 'lock wait', 'serializ',
                                             'could not obtain lock', 'busy'))
    return False


def transaction(db, func, retries=30, errors=DEFAULT_ERRORS, retry_types=()):
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
            if not retriable(error, retry_types):
                raise
            if attempt + 1 == retries:
                LOG.warning('giving up after %d attempts: %s', retries, error)
                raise errors.conflict('The request lost a race with concurrent requests %d '
                                      'times; please retry.' % retries)
            # Jitter spreads the retries of requests that collided on the same row.
            time.sleep(random.uniform(0.001, 0.01) * min(attempt + 1, 10))
