"""Host aggregates (os-aggregates).  The ``availability_zone`` metadata of an aggregate is
the AZ of its hosts: every change here writes the resulting zone onto the hosts' compute
nodes (what the scheduler, os-availability-zone and new servers read), and a worker's
report keeps it (``zone_of_host``)."""
import sqlalchemy as sa

from common import exceptions as exc
from common.db import types
from compute.db import api as db_api
from compute.db import models

AZ_KEY = 'availability_zone'
A, H, M = models.Aggregate, models.AggregateHost, models.AggregateMetadata


def _view(sess, row):
    data = db_api.row_to_dict(row)
    data['hosts'] = list(sess.execute(sa.select(H.host).where(
        H.aggregate_id == row.id).order_by(H.host)).scalars())
    data['metadata'] = {m.key: m.value for m in sess.execute(
        sa.select(M).where(M.aggregate_id == row.id)).scalars()}
    data[AZ_KEY] = data['metadata'].get(AZ_KEY)
    return data


def _row(sess, ident):
    clause = A.id == int(ident) if str(ident).isdigit() else A.uuid == str(ident)
    row = sess.execute(sa.select(A).where(clause)).scalar()
    if row is None:
        raise exc.NotFound('Aggregate %s could not be found.' % ident)
    return row


def list_(db):
    with db.session() as sess:
        return [_view(sess, r) for r in sess.execute(sa.select(A).order_by(A.id)).scalars()]


def get(db, ident):
    with db.session() as sess:
        return _view(sess, _row(sess, ident))


def _zones_of_host(sess, host, besides=None):
    """{aggregate id: AZ} of the aggregates holding ``host`` that set an AZ."""
    query = sa.select(M.aggregate_id, M.value).join(
        H, H.aggregate_id == M.aggregate_id).where(H.host == host, M.key == AZ_KEY)
    if besides is not None:
        query = query.where(M.aggregate_id != besides)
    return {r.aggregate_id: r.value for r in sess.execute(query)}


def zone_of_host(sess, host):
    """The AZ the aggregates give ``host``, or None (the configured default applies)."""
    zones = sorted(set(_zones_of_host(sess, host).values()))
    return zones[0] if zones else None


def _refresh_nodes(sess, hosts, default_zone):
    for host in hosts:
        zone = zone_of_host(sess, host) or default_zone
        sess.execute(sa.update(models.ComputeNode).where(
            models.ComputeNode.host == host).values(availability_zone=zone))


def _check_zone(sess, agg_id, hosts, zone, error):
    """Raise ``error`` when one of ``hosts`` is in another aggregate with another AZ."""
    if zone is None:
        return
    clashes = sorted({z for h in hosts for z in _zones_of_host(sess, h, agg_id).values()
                      if z != zone})
    if clashes:
        raise error('One or more hosts already in availability zone(s) %s.'
                    % ', '.join(clashes))


def _check_name(sess, name, agg_id=None):
    query = sa.select(A.id).where(A.name == name)
    if agg_id is not None:
        query = query.where(A.id != agg_id)
    if sess.execute(query).first():
        raise exc.Conflict('Aggregate %s already exists.' % name)


def _set_meta(sess, agg_id, metadata):
    """Apply ``metadata`` (a None value deletes the key)."""
    for key, value in metadata.items():
        sess.execute(sa.delete(M).where(M.aggregate_id == agg_id, M.key == key))
        if value is not None:
            sess.add(M(aggregate_id=agg_id, key=key, value=value))
    sess.flush()


def _hosts_with_servers(sess, hosts):
    I = models.Instance
    return sorted(set(sess.execute(sa.select(I.host).where(
        I.host.in_(hosts), I.deleted.is_(False))).scalars())) if hosts else []


def _change_zone(sess, row, zone, error, default_zone):
    """Set (or, with None, drop) the AZ of aggregate ``row`` and of its hosts."""
    view = _view(sess, row)
    if zone == view[AZ_KEY]:
        return
    _check_zone(sess, row.id, view['hosts'], zone, error)
    busy = _hosts_with_servers(sess, view['hosts'])
    if busy:
        # Nova refuses too: the servers on them would silently change zone.
        raise error('Cannot change the availability zone of an aggregate whose hosts (%s) '
                    'have servers.' % ', '.join(busy))
    _set_meta(sess, row.id, {AZ_KEY: zone})
    _refresh_nodes(sess, view['hosts'], default_zone)


def create(db, name, zone):
    with db.session() as sess:
        _check_name(sess, name)
        row = A(name=name)
        sess.add(row)
        sess.flush()
        if zone is not None:
            _set_meta(sess, row.id, {AZ_KEY: zone})
        return _view(sess, row)


def update(db, ident, values, default_zone):
    """``values``: name and/or availability_zone (None drops the AZ)."""
    with db.session() as sess:
        row = _row(sess, ident)
        if 'name' in values:
            _check_name(sess, values['name'], row.id)
            row.name = values['name']
        if AZ_KEY in values:
            _change_zone(sess, row, values[AZ_KEY], exc.BadRequest, default_zone)
        row.updated_at = types.utcnow()
        sess.flush()
        return _view(sess, row)


def set_metadata(db, ident, metadata, default_zone):
    with db.session() as sess:
        row = _row(sess, ident)
        metadata = dict(metadata)
        if AZ_KEY in metadata:
            _change_zone(sess, row, metadata.pop(AZ_KEY), exc.BadRequest, default_zone)
        _set_meta(sess, row.id, metadata)
        row.updated_at = types.utcnow()
        sess.flush()
        return _view(sess, row)


def delete(db, ident):
    with db.session() as sess:
        row = _row(sess, ident)
        if _view(sess, row)['hosts']:
            raise exc.BadRequest('Cannot delete aggregate %s: it is not empty (remove its '
                                 'hosts first).' % ident)
        sess.execute(sa.delete(M).where(M.aggregate_id == row.id))
        sess.delete(row)


def add_host(db, ident, host, default_zone):
    with db.session() as sess:
        row = _row(sess, ident)
        view = _view(sess, row)
        if host in view['hosts']:
            raise exc.Conflict('Aggregate %s already has host %s.' % (ident, host))
        _check_zone(sess, row.id, [host], view[AZ_KEY], exc.Conflict)
        sess.add(H(aggregate_id=row.id, host=host))
        row.updated_at = types.utcnow()
        sess.flush()
        _refresh_nodes(sess, [host], default_zone)
        return _view(sess, row)


def remove_host(db, ident, host, default_zone):
    with db.session() as sess:
        row = _row(sess, ident)
        gone = sess.execute(sa.delete(H).where(H.aggregate_id == row.id, H.host == host))
        if not gone.rowcount:
            raise exc.NotFound('Cannot remove host %s from aggregate %s: the host is not in '
                               'it.' % (host, ident))
        row.updated_at = types.utcnow()
        sess.flush()
        _refresh_nodes(sess, [host], default_zone)
        return _view(sess, row)
