"""Address scopes (address-scope): a family of subnet pools whose prefixes never overlap,
so the addresses of their subnets are unique across every project using the scope."""
import sqlalchemy as sa

from common.db import query
from network import exceptions as nexc
from network.db import models
from network.plugin import core
from network.plugin import rbac

A = models.AddressScope

FIELDS = {
    'id': query.Field(A.id),
    'name': query.Field(A.name),
    'project_id': query.Field(A.project_id),
    'tenant_id': query.Field(A.project_id),
    'shared': query.Field(A.shared, 'bool'),
    'ip_version': query.Field(A.ip_version, 'int'),
    'created_at': query.Field(A.created_at),
    'updated_at': query.Field(A.updated_at),
    'revision_number': query.Field(A.revision_number, 'int'),
}


def scope(ctx):
    """Own, shared with everyone, or granted to the caller's project (rbac)."""
    if ctx.is_admin:
        return None
    project = core.project_of(ctx)
    return sa.or_(A.project_id == project, A.shared.is_(True),
                  A.id.in_(rbac.granted(project, object_type='address_scope')))


def to_dict(row):
    return core.stamp({'id': row.id, 'name': row.name, 'shared': row.shared,
                       'ip_version': row.ip_version}, row)


class AddressScopeManager:
    def __init__(self, core_):
        self.core = core_

    def get_row(self, sess, ctx, scope_id):
        row = core.visible_row(sess, ctx, A, scope_id, lambda s: s.shared or rbac.is_granted(
            sess, s.id, core.project_of(ctx), object_type='address_scope'))
        if row is None:
            raise nexc.AddressScopeNotFound('Address scope %s could not be found.' % scope_id)
        return row

    def show(self, ctx, scope_id):
        return self.core.transaction(lambda sess: to_dict(self.get_row(sess, ctx, scope_id)))

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            rows = core.page_rows(sess, ctx, self, A, FIELDS, scope(ctx),
                                  filters, sorts, limit, marker, page_reverse)
            return [to_dict(r) for r in rows]
        return self.core.transaction(run)

    def create(self, ctx, items):
        def run(sess):
            out = []
            for data in items:
                row = A(project_id=core.require_project(ctx, data), name=data.get('name') or '',
                        shared=data.get('shared', False), ip_version=data['ip_version'],
                        revision_number=1)
                sess.add(row)
                sess.flush()
                if row.shared:
                    self.core.rbac.grant_wildcard(sess, row, rbac.SHARED, True,
                                                  'address_scope')
                out.append(to_dict(row))
            return out
        return self.core.transaction(run)

    def update(self, ctx, scope_id, data):
        def run(sess):
            row = self.get_row(sess, ctx, scope_id)
            if data.get('shared') is False and row.shared:
                raise nexc.InvalidInput('Address scope %s cannot be unshared.' % row.id)
            for key in ('name', 'shared'):
                if key in data and data[key] is not None:
                    setattr(row, key, data[key])
            if data.get('shared'):
                self.core.rbac.grant_wildcard(sess, row, rbac.SHARED, True, 'address_scope')
            core.bump(row)
            sess.flush()
            return to_dict(row)
        return self.core.transaction(run)

    def delete(self, ctx, scope_id):
        def run(sess):
            row = self.get_row(sess, ctx, scope_id)
            if sess.scalar(sa.select(models.SubnetPool.id).where(
                    models.SubnetPool.address_scope_id == row.id).limit(1)) is not None:
                raise nexc.AddressScopeInUse('Unable to complete operation on address scope '
                                             '%s. There are one or more subnet pools in use '
                                             'on the address scope.' % row.id)
            sess.execute(sa.delete(models.RBACPolicy).where(
                models.RBACPolicy.object_type == 'address_scope',
                models.RBACPolicy.object_id == row.id))
            sess.delete(row)
        self.core.transaction(run)

    def network_scopes(self, sess, network_ids):
        """{network id: {ip_version: address scope id}} of the pools the networks' subnets
        came from, in one query for a whole page of networks."""
        if not network_ids:
            return {}
        rows = sess.execute(sa.select(models.Subnet.network_id, models.SubnetPool.ip_version,
                                      models.SubnetPool.address_scope_id).join(
            models.Subnet, models.Subnet.subnetpool_id == models.SubnetPool.id).where(
            models.Subnet.network_id.in_(network_ids),
            models.SubnetPool.address_scope_id.isnot(None)).distinct()).all()
        scopes = {}
        for network_id, version, scope_id in rows:
            scopes.setdefault(network_id, {})[version] = scope_id
        return scopes
