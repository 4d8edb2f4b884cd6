"""Trunks (trunk): a parent port carrying VLAN-tagged frames for its subports. Subports
are bound with the parent (same host) and owned by the trunk (``trunk:subport``); the
bridge agent wires them (network/agents/bridge/trunk.py)."""
import sqlalchemy as sa

from common.db import query
from network import exceptions as nexc
from network.db import models
from network.plugin import core
from network.plugin import tags

T = models.Trunk
S = models.SubPort
OWNER_SUBPORT = 'trunk:subport'

FIELDS = {
    'id': query.Field(T.id),
    'name': query.Field(T.name),
    'description': query.Field(T.description),
    'project_id': query.Field(T.project_id),
    'tenant_id': query.Field(T.project_id),
    'admin_state_up': query.Field(T.admin_state_up, 'bool'),
    'port_id': query.Field(T.port_id),
    'created_at': query.Field(T.created_at),
    'updated_at': query.Field(T.updated_at),
    'revision_number': query.Field(T.revision_number, 'int'),
}
FIELDS.update(tags.filter_fields(T))


def scope(ctx):
    return None if ctx.is_admin else T.project_id == core.project_of(ctx)


def _subport(row):
    return {'port_id': row.port_id, 'segmentation_type': row.segmentation_type,
            'segmentation_id': row.segmentation_id}


class TrunkManager:
    def __init__(self, core_):
        self.core = core_

    # reading --------------------------------------------------------------------
    def get_row(self, sess, ctx, trunk_id):
        row = core.visible_row(sess, ctx, T, trunk_id)
        if row is None:
            raise nexc.TrunkNotFound('Trunk %s could not be found.' % trunk_id)
        return row

    def _dict(self, sess, row):
        subs = sess.scalars(sa.select(S).where(S.trunk_id == row.id).order_by(
            S.segmentation_id, S.port_id))
        parent = sess.get(models.Port, row.port_id)
        # No agent reports trunk wiring: a trunk is as up as its parent port.
        status = 'ACTIVE' if row.admin_state_up and parent is not None and \
            parent.status == 'ACTIVE' else 'DOWN'
        return core.stamp({'id': row.id, 'name': row.name, 'description': row.description,
                           'admin_state_up': row.admin_state_up, 'port_id': row.port_id,
                           'status': status, 'sub_ports': [_subport(s) for s in subs]}, row)

    def show(self, ctx, trunk_id):
        return self.core.transaction(lambda sess: self._dict(sess, self.get_row(sess, ctx,
                                                                                trunk_id)))

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            rows = core.page_rows(sess, ctx, self, T, FIELDS, scope(ctx), filters, sorts,
                                  limit, marker, page_reverse)
            return [self._dict(sess, r) for r in rows]
        return self.core.transaction(run)

    def subports(self, ctx, trunk_id):
        return {'sub_ports': self.show(ctx, trunk_id)['sub_ports']}

    # checks ------------------------------------------------------------------------
    def _port(self, sess, ctx, port_id, project, what):
        port = self.core.ports.get_row(sess, ctx, port_id)
        if port.project_id != project and not ctx.is_admin:
            raise nexc.PortNotFound('Port %s could not be found.' % port_id)
        if sess.scalar(sa.select(T.id).where(T.port_id == port.id)) is not None:
            raise nexc.TrunkPortInUse('Port %s is in use by another trunk.' % port.id)
        if sess.get(S, port.id) is not None:
            raise nexc.PortInUseAsSubPort('Port %s is currently a subport of a trunk.'
                                          % port.id)
        if what == 'subport' and (port.device_id or port.device_owner):
            raise nexc.PortInUse('Port %s is in use by %s and cannot be a subport.'
                                 % (port.id, port.device_owner or port.device_id))
        return port

    def _add(self, sess, ctx, trunk, parent, subports):
        taken = {(s.segmentation_type, s.segmentation_id) for s in sess.scalars(
            sa.select(S).where(S.trunk_id == trunk.id))}
        seen = set()
        for item in subports:
            if item['port_id'] == trunk.port_id or item['port_id'] in seen:
                raise nexc.InvalidInput('Port %s is given twice in the trunk.'
                                        % item['port_id'])
            seen.add(item['port_id'])
            port = self._port(sess, ctx, item['port_id'], trunk.project_id, 'subport')
            key = (item['segmentation_type'], item['segmentation_id'])
            if key in taken:
                raise nexc.DuplicateSubPort('segmentation_type %s and segmentation_id %d '
                                            'are already in use on trunk %s.'
                                            % (key + (trunk.id,)))
            taken.add(key)
            sess.add(S(port_id=port.id, trunk_id=trunk.id, segmentation_type=key[0],
                       segmentation_id=key[1]))
            port.device_owner, port.device_id = OWNER_SUBPORT, trunk.id
            port.host_id = parent.host_id
            core.bump(port)
        sess.flush()
        return sorted(seen)

    @staticmethod
    def _release(sess, port_ids):
        for port_id in port_ids:
            port = sess.get(models.Port, port_id)
            if port is not None:
                port.device_owner, port.device_id, port.host_id = '', '', ''
                core.bump(port)

    # writing --------------------------------------------------------------------------
    def create(self, ctx, items):
        changed = []

        def run(sess):
            changed.clear()
            out = []
            for data in items:
                project = core.require_project(ctx, data)
                parent = self._port(sess, ctx, data['port_id'], project, 'parent')
                row = T(project_id=project, name=data.get('name') or '',
                        description=data.get('description') or '',
                        admin_state_up=data.get('admin_state_up', True), port_id=parent.id,
                        revision_number=1)
                sess.add(row)
                sess.flush()
                changed.extend(self._add(sess, ctx, row, parent, data.get('sub_ports') or []))
                changed.append(parent.id)
                out.append(self._dict(sess, row))
            return out
        result = self.core.transaction(run)
        self.core.notify(ctx, [('port', changed)])
        return result

    def update(self, ctx, trunk_id, data):
        def run(sess):
            row = self.get_row(sess, ctx, trunk_id)
            for key in ('name', 'description', 'admin_state_up'):
                if key in data and data[key] is not None:
                    setattr(row, key, data[key])
            core.bump(row)
            sess.flush()
            return self._dict(sess, row), row.port_id
        result, parent_id = self.core.transaction(run)
        self.core.notify(ctx, [('port', [parent_id])])
        return result

    def _change_subports(self, ctx, trunk_id, func):
        """Run ``func(sess, trunk row)`` (returning the subport ids it changed) in one
        transaction; bump the trunk, tell the agents, answer the trunk."""
        def run(sess):
            row = self.get_row(sess, ctx, trunk_id)
            ids = func(sess, row)
            core.bump(row)
            sess.flush()
            return self._dict(sess, row), ids + [row.port_id]
        result, changed = self.core.transaction(run)
        self.core.notify(ctx, [('port', changed)])
        return result

    def add_subports(self, ctx, trunk_id, subports):
        return self._change_subports(ctx, trunk_id, lambda sess, row: self._add(
            sess, ctx, row, sess.get(models.Port, row.port_id), subports))

    def remove_subports(self, ctx, trunk_id, subports):
        def remove(sess, row):
            ids = []
            for item in subports:
                sub = sess.get(S, item['port_id'])
                if sub is None or sub.trunk_id != row.id:
                    raise nexc.SubPortNotFound('Port %s is not a subport of trunk %s.'
                                               % (item['port_id'], row.id))
                ids.append(sub.port_id)
                sess.delete(sub)
            self._release(sess, ids)
            return ids
        return self._change_subports(ctx, trunk_id, remove)

    def delete(self, ctx, trunk_id):
        def run(sess):
            row = self.get_row(sess, ctx, trunk_id)
            ids = list(sess.scalars(sa.select(S.port_id).where(S.trunk_id == row.id)))
            sess.execute(sa.delete(S).where(S.trunk_id == row.id))
            self._release(sess, ids)
            sess.execute(sa.delete(models.Tag).where(models.Tag.resource_id == row.id))
            sess.delete(row)
            return ids + [row.port_id]
        changed = self.core.transaction(run)
        self.core.notify(ctx, [('port', changed)])

    # hooks of the port manager -----------------------------------------------------------
    @staticmethod
    def check_port_delete(sess, port_id):
        """409 for a port a trunk depends on (Neutron refuses these deletes too)."""
        if sess.scalar(sa.select(T.id).where(T.port_id == port_id)) is not None:
            raise nexc.PortInUseAsTrunkParent('Port %s is currently the parent port of a '
                                              'trunk.' % port_id)
        if sess.get(S, port_id) is not None:
            raise nexc.PortInUseAsSubPort('Port %s is currently a subport of a trunk.'
                                          % port_id)

    @staticmethod
    def follow_parent(sess, parent):
        """Bind a trunk's subports where its parent port is bound; their ids."""
        trunk_id = sess.scalar(sa.select(T.id).where(T.port_id == parent.id))
        if trunk_id is None:
            return []
        ids = []
        for sub in sess.scalars(sa.select(S).where(S.trunk_id == trunk_id)):
            port = sess.get(models.Port, sub.port_id)
            if port.host_id != parent.host_id:
                port.host_id = parent.host_id
                core.bump(port)
                ids.append(port.id)
        return ids

    @staticmethod
    def port_details(sess, port_ids):
        """{parent port id: ``trunk_details``} for the parents among ``port_ids``
        (trunk-details: the trunk and its subports with their MACs)."""
        found = TrunkManager.details(sess, port_ids)
        macs = {}
        sub_ids = [s['port_id'] for t in found.values() for s in t['sub_ports']]
        if sub_ids:
            macs = dict(sess.execute(sa.select(models.Port.id, models.Port.mac_address).where(
                models.Port.id.in_(sub_ids))).all())
        return {parent: {'trunk_id': t['id'], 'sub_ports': [
            {'port_id': s['port_id'], 'segmentation_type': 'vlan',
             'segmentation_id': s['segmentation_id'], 'mac_address': macs.get(s['port_id'])}
            for s in t['sub_ports']]} for parent, t in found.items()}

    @staticmethod
    def details(sess, port_ids):
        """{parent port id: its trunk as the bridge agent wires it} for the parents among
        ``port_ids`` (two queries for a whole host)."""
        if not port_ids:
            return {}
        rows = list(sess.scalars(sa.select(T).where(T.port_id.in_(port_ids))))
        out = {r.port_id: {'id': r.id, 'admin_state_up': r.admin_state_up, 'sub_ports': []}
               for r in rows}
        parents = {r.id: r.port_id for r in rows}
        if parents:
            for sub in sess.scalars(sa.select(S).where(S.trunk_id.in_(parents)).order_by(
                    S.port_id)):
                out[parents[sub.trunk_id]]['sub_ports'].append(
                    {'port_id': sub.port_id, 'segmentation_id': sub.segmentation_id})
        return out
