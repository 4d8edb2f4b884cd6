"""Count the SQL statements a block of code runs, on every engine of the process.

Used by the scale tests: a list request must run a constant number of statements, however
many rows it returns (never one query per row).
"""
import contextlib
import threading

import sqlalchemy as sa
from sqlalchemy import event


class Counter:
    """Statements the calling thread ran while the ``counting`` block ran (a service's
    background threads are not the request's); ``statements`` keeps their text."""

    def __init__(self):
        self.statements = []
        self.thread = threading.get_ident()

    @property
    def count(self):
        return len(self.statements)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == self.thread:
            self.statements.append(statement)


@contextlib.contextmanager
def counting():
    """``with counting() as c: ...``, then ``c.count``."""
    counter = Counter()
    event.listen(sa.engine.Engine, 'before_cursor_execute', counter._seen)
    try:
        yield counter
    finally:
        event.remove(sa.engine.Engine, 'before_cursor_execute', counter._seen)


def statements_per_request(call):
    """How many statements one ``call()`` runs."""
    with counting() as counter:
        call()
    return counter.count
