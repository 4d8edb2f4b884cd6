"""List queries: filters on attributes, sorting and keyset pagination in SQL.

A resource describes its filterable attributes as ``{api_name: Field}``; the API layer
hands in the parsed query string and gets back one page of rows plus whether more
exist in the paging direction.
"""
import sqlalchemy as sa

from network import exceptions as nexc

TRUE = ('true', '1', 'yes', 'on', 'True')
FALSE = ('false', '0', 'no', 'off', 'False')


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

    def convert(self, name, value):
        if self.kind == 'bool':
            if value in TRUE:
                return True
            if value in FALSE:
                return False
            raise nexc.InvalidInput("Invalid input for %s: '%s' is not a boolean." % (name, value))
        if self.kind == 'int':
            if value in ('', 'None', 'null'):
                return None
            try:
                return int(value)
            except ValueError:
                raise nexc.InvalidInput("Invalid input for %s: '%s' is not an integer."
                                        % (name, value))
        return value

    def clause(self, name, values):
        values = [self.convert(name, v) for v in values]
        if self._clause is not None:
            return self._clause(values)
        plain = [v for v in values if v is not None]
        parts = []
        if plain:
            parts.append(self.column.in_(plain))
        if len(plain) != len(values):
            parts.append(self.column.is_(None))
        return sa.or_(*parts)


def build(model, fields, scope, filters, sorts, limit=None, marker=None, page_reverse=False):
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
            raise nexc.InvalidInput("Invalid input for operation: '%s' is not an attribute "
                                    "you can filter on." % name)
        stmt = stmt.where(field.clause(name, values))
    keys = []
    for name, direction in sorts:
        field = fields.get(name)
        if field is None or not field.sortable:
            raise nexc.BadRequest("Attribute '%s' cannot be used to sort." % name)
        if direction not in ('asc', 'desc'):
            raise nexc.BadRequest("Sort direction '%s' is invalid; use asc or desc."
                                  % direction)
        keys.append((field.column, direction))
    if not any(col is model.id for col, _ in keys):
        # A unique last key makes the order total, so pages never repeat or skip rows.
        keys.append((model.id, 'asc'))
    if page_reverse:
        keys = [(col, 'desc' if d == 'asc' else 'asc') for col, d in keys]
    if marker is not None:
        stmt = stmt.where(_after(keys, marker))
    stmt = stmt.order_by(*[col.asc() if d == 'asc' else col.desc() for col, d in keys])
    if limit is not None:
        stmt = stmt.limit(limit + 1)
    return stmt


def _after(keys, marker):
    """Rows strictly after ``marker`` in the order ``keys`` (a lexicographic keyset test)."""
    ors = []
    for index, (col, direction) in enumerate(keys):
        value = getattr(marker, col.key)
        ands = [prev == getattr(marker, prev.key) for prev, _ in keys[:index]]
        if value is None:
            # NULLs sort first ascending here (SQLite, PostgreSQL differ); treat as lowest.
            ands.append(col.isnot(None) if direction == 'asc' else sa.false())
        else:
            ands.append(col > value if direction == 'asc' else
                        sa.or_(col < value, col.is_(None)))
        ors.append(sa.and_(*ands))
    return sa.or_(*ors)
