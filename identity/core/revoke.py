"""Recording revocation events and pushing them to every service."""
import logging

import sqlalchemy as sa

from common.auth import tokens
from common.db import types
from identity.db import models

LOG = logging.getLogger(__name__)

# Set by the API app at start: a callable taking a list of event dicts (AMQP fanout push).
_publisher = None


def set_publisher(publisher):
    global _publisher
    _publisher = publisher


def record(sess, issued_before=None, **fields):
    """Add an event revoking tokens matching ``fields`` issued up to now; push it after
    the transaction commits."""
    now = types.utcnow()
    event = models.RevocationEvent(issued_before=issued_before or now, revoked_at=now,
                                   **fields)
    sess.add(event)
    sess.flush()
    data = to_dict(event)
    if _publisher is not None:
        pending = sess.info.setdefault('revocations_to_push', [])
        if not pending:
            sa.event.listen(sess, 'after_commit', _push_after_commit, once=True)
        pending.append(data)
    return event


def _push_after_commit(sess):
    events = sess.info.pop('revocations_to_push', [])
    if events and _publisher is not None:
        try:
            _publisher(events)
        except Exception as exc:  # services still catch up by polling
            LOG.warning('could not push %d revocation event(s): %s', len(events), exc)


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
