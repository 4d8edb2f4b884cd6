"""Address groups (address-group): named sets of CIDRs a security group rule can name as
its remote (``remote_address_group_id``); the bridge agent matches them with an ipset."""
import sqlalchemy as sa

from common.db import query
from network import exceptions as nexc
from network import ipam
from network.db import models
from network.plugin import core

G = models.AddressGroup
A = models.AddressGroupAddress

FIELDS = {
    'id': query.Field(G.id),
    'name': query.Field(G.name),
    'description': query.Field(G.description),
    'project_id': query.Field(G.project_id),
    'tenant_id': query.Field(G.project_id),
    'created_at': query.Field(G.created_at),
    'updated_at': query.Field(G.updated_at),
    'revision_number': query.Field(G.revision_number, 'int'),
}


def scope(ctx):
    return None if ctx.is_admin else G.project_id == core.project_of(ctx)


def normalize(addresses):
    """Canonical CIDRs (host bits cleared, prefix length always written), each once, in
    the order given; a bad one is Neutron's InvalidInput naming it."""
    out = []
    for value in addresses:
        cidr = str(ipam.parse_prefix(value, 'addresses'))
        if cidr not in out:
            out.append(cidr)
    return out


def addresses_of(sess, group_ids):
    """{group id: sorted CIDRs} for ``group_ids`` in one query."""
    found = {g: [] for g in group_ids}
    if group_ids:
        for gid, address in sess.execute(sa.select(A.address_group_id, A.address).where(
                A.address_group_id.in_(list(group_ids))).order_by(A.address)):
            found[gid].append(address)
    return found


def to_dict(row, addresses):
    out = core.stamp({'id': row.id, 'name': row.name, 'description': row.description,
                      'addresses': addresses}, row)
    del out['tags']
    return out


class AddressGroupManager:
    def __init__(self, core_):
        self.core = core_

    def get_row(self, sess, ctx, group_id):
        row = core.visible_row(sess, ctx, G, group_id)
        if row is None:
            raise nexc.AddressGroupNotFound('Address group %s could not be found.' % group_id)
        return row

    def _dict(self, sess, row):
        return to_dict(row, addresses_of(sess, [row.id])[row.id])

    def show(self, ctx, group_id):
        return self.core.transaction(lambda sess: self._dict(sess, self.get_row(sess, ctx,
                                                                                group_id)))

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            rows = core.page_rows(sess, ctx, self, G, FIELDS, scope(ctx), filters, sorts,
                                  limit, marker, page_reverse)
            addresses = addresses_of(sess, [r.id for r in rows])
            return [to_dict(r, addresses[r.id]) for r in rows]
        return self.core.transaction(run)

    def create(self, ctx, items):
        def run(sess):
            out = []
            for data in items:
                row = G(project_id=core.require_project(ctx, data),
                        name=data.get('name') or '', description=data.get('description') or '',
                        revision_number=1)
                sess.add(row)
                sess.flush()
                for cidr in normalize(data.get('addresses') or []):
                    sess.add(A(address_group_id=row.id, address=cidr))
                sess.flush()
                out.append(self._dict(sess, row))
            return out
        return self.core.transaction(run)

    def update(self, ctx, group_id, data):
        def run(sess):
            row = self.get_row(sess, ctx, group_id)
            for key in ('name', 'description'):
                if key in data:
                    setattr(row, key, data[key] or '')
            core.bump(row)
            sess.flush()
            return self._dict(sess, row)
        return self.core.transaction(run)

    def delete(self, ctx, group_id):
        def run(sess):
            row = self.get_row(sess, ctx, group_id)
            if self._rule_groups(sess, row.id):
                raise nexc.AddressGroupInUse('Address group %s is in use by one or more '
                                             'security group rules.' % row.id)
            sess.execute(sa.delete(A).where(A.address_group_id == row.id))
            sess.delete(row)
        self.core.transaction(run)

    def change_addresses(self, ctx, group_id, addresses, add):
        """``add_addresses`` / ``remove_addresses``: all or nothing; adding one the group
        has is a 400, removing one it lacks a 404 (as Neutron answers). The agents of the
        security groups whose rules name the group are told."""
        def run(sess):
            row = self.get_row(sess, ctx, group_id)
            wanted = normalize(addresses)
            have = set(addresses_of(sess, [row.id])[row.id])
            if add:
                clash = [c for c in wanted if c in have]
                if clash:
                    raise nexc.AddressesAlreadyExist(
                        'Addresses %s already exist in address group %s.'
                        % (', '.join(clash), row.id))
                for cidr in wanted:
                    sess.add(A(address_group_id=row.id, address=cidr))
            else:
                missing = [c for c in wanted if c not in have]
                if missing:
                    raise nexc.AddressesNotFound(
                        'Addresses %s not found in the address group %s.'
                        % (', '.join(missing), row.id))
                if wanted:
                    sess.execute(sa.delete(A).where(A.address_group_id == row.id,
                                                    A.address.in_(wanted)))
            core.bump(row)
            sess.flush()
            return self._dict(sess, row), self._rule_groups(sess, row.id)
        result, sg_ids = self.core.transaction(run)
        self.core.notify(ctx, [('security_group', sg_ids)])
        return result

    @staticmethod
    def _rule_groups(sess, group_id):
        """Ids of the security groups with a rule naming address group ``group_id``."""
        return sorted(set(sess.scalars(sa.select(models.SecurityGroupRule.security_group_id)
                                       .where(models.SecurityGroupRule.remote_address_group_id
                                              == group_id))))
