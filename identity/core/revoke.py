"""Recording revocation events and pushing them to every service."""
import logging

import sqlalchemy as sa

from common.auth import tokens
from common.db import types
from identity.db import models

LOG = logging.getLogger(__name__)

# Callables taking a list of event dicts, called after the recording transaction commits:
# the AMQP fanout push to other services and this process's own token provider.
_listeners = []


def add_listener(listener):
    _listeners.append(listener)


def record(sess, issued_before=None, **fields):
    """Add an event revoking tokens matching ``fields`` issued up to now; push it after
    the transaction commits."""
    now = types.utcnow()
    event = models.RevocationEvent(issued_before=issued_before or now, revoked_at=now,
                                   **fields)
    sess.add(event)
    sess.flush()
    data = to_dict(event)
    if _listeners:
        pending = sess.info.setdefault('revocations_to_push', [])
        if not pending:
            sa.event.listen(sess, 'after_commit', _push_after_commit, once=True)
        pending.append(data)
    return event


def _push_after_commit(sess):
    events = sess.info.pop('revocations_to_push', [])
    for listener in list(_listeners):
        try:
            listener(events)
        except Exception as exc:  # services still catch up by polling
            LOG.warning('could not hand on %d revocation event(s): %s', len(events), exc)


def to_dict(event):
    data = {'id': event.id, 'issued_before': tokens.iso(_epoch(event.issued_before)),
            'revoked_at': tokens.iso(_epoch(event.revoked_at))}
    for name in ('audit_id', 'user_id', 'project_id', 'domain_id', 'application_credential_id'):
        value = getattr(event, name)
        if value is not None:
            data[name] = value
    return data


def _epoch(naive_utc):
    import datetime
    return naive_utc.replace(tzinfo=datetime.timezone.utc).timestamp()


def list_events(sess, since=None, since_id=None):
    query = sa.select(models.RevocationEvent).order_by(models.RevocationEvent.id)
    if since is not None:
        query = query.where(models.RevocationEvent.revoked_at >= since)
    if since_id is not None:
        query = query.where(models.RevocationEvent.id > since_id)
    return list(sess.scalars(query))


def prune(sess, older_than):
    sess.execute(sa.delete(models.RevocationEvent).where(
        models.RevocationEvent.issued_before < older_than))
