"""Subnet pools (subnet_allocation, default-subnetpools): prefixes that subnets get their
CIDR from, by prefix length or by asking for a CIDR inside the pool; a per-project quota of
address space; at most one default pool per IP version."""
import ipaddress

import sqlalchemy as sa

from common.db import query
from network import exceptions as nexc
from network import ipam
from network.db import models
from network.plugin import core
from network.plugin import rbac
from network.plugin import tags

P = models.SubnetPool
MAX_PREFIXLEN = {4: 32, 6: 128}
MIN_PREFIXLEN = {4: 8, 6: 64}
# The unit default_quota counts in: /32 addresses for IPv4, /64 networks for IPv6.
QUOTA_UNIT = {4: 32, 6: 64}

FIELDS = {
    'id': query.Field(P.id),
    'name': query.Field(P.name),
    'description': query.Field(P.description),
    'project_id': query.Field(P.project_id),
    'tenant_id': query.Field(P.project_id),
    'ip_version': query.Field(P.ip_version, 'int'),
    'default_prefixlen': query.Field(P.default_prefixlen, 'int'),
    'min_prefixlen': query.Field(P.min_prefixlen, 'int'),
    'max_prefixlen': query.Field(P.max_prefixlen, 'int'),
    'shared': query.Field(P.shared, 'bool'),
    'is_default': query.Field(P.is_default, 'bool'),
    'default_quota': query.Field(P.default_quota, 'int'),
    'address_scope_id': query.Field(P.address_scope_id),
    'created_at': query.Field(P.created_at),
    'updated_at': query.Field(P.updated_at),
    'revision_number': query.Field(P.revision_number, 'int'),
}
FIELDS.update(tags.filter_fields(P))


def scope(ctx):
    """Own, shared with everyone, or granted to the caller's project (rbac)."""
    if ctx.is_admin:
        return None
    project = core.project_of(ctx)
    return sa.or_(P.project_id == project, P.shared.is_(True),
                  P.id.in_(rbac.granted(project, object_type='subnetpool')))


def to_dict(row):
    out = {'id': row.id, 'name': row.name, 'description': row.description,
           'ip_version': row.ip_version, 'prefixes': list(row.prefixes),
           'default_prefixlen': row.default_prefixlen, 'min_prefixlen': row.min_prefixlen,
           'max_prefixlen': row.max_prefixlen, 'shared': row.shared,
           'is_default': row.is_default, 'default_quota': row.default_quota,
           'address_scope_id': row.address_scope_id}
    return core.stamp(out, row)


INTEGERS = ('prefixlen', 'default_prefixlen', 'min_prefixlen', 'max_prefixlen',
            'default_quota')


def integers(data):
    """``data`` with the integer attributes as ints (the schema let digits through)."""
    return {k: int(v) if k in INTEGERS and isinstance(v, str) else v
            for k, v in data.items()}


def parse_prefixes(values):
    """The prefixes as ip_networks of one IP version, merged where they touch."""
    if not isinstance(values, list) or not values:
        raise nexc.InvalidInput('Invalid input for prefixes: a non-empty list of CIDRs is '
                                'expected.')
    nets = [ipam.parse_cidr(v, 'prefixes') for v in values]
    if len({n.version for n in nets}) != 1:
        raise nexc.InvalidInput('Invalid input for prefixes: IPv4 and IPv6 prefixes cannot '
                                'share a subnet pool.')
    return list(ipaddress.collapse_addresses(nets))


def _free_blocks(prefixes, used):
    """The parts of ``prefixes`` no network in ``used`` overlaps."""
    free = list(prefixes)
    for taken in used:
        nxt = []
        for block in free:
            if not block.overlaps(taken):
                nxt.append(block)
            elif taken.subnet_of(block) and taken != block:
                nxt.extend(block.address_exclude(taken))
            # else: block lies inside taken and is gone
        free = nxt
    return sorted(free, key=lambda n: (n.network_address, n.prefixlen))


class SubnetPoolManager:
    def __init__(self, core_):
        self.core = core_

    # reading ----------------------------------------------------------------------
    def get_row(self, sess, ctx, pool_id):
        row = core.visible_row(sess, ctx, P, pool_id, lambda p: p.shared or rbac.is_granted(
            sess, p.id, core.project_of(ctx), object_type='subnetpool'))
        if row is None:
            raise nexc.SubnetPoolNotFound('Subnet pool %s could not be found.' % pool_id)
        return row

    def show(self, ctx, pool_id):
        return self.core.transaction(lambda sess: to_dict(self.get_row(sess, ctx, pool_id)))

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            rows = core.page_rows(sess, ctx, self, P, FIELDS, scope(ctx),
                                  filters, sorts, limit, marker, page_reverse)
            return [to_dict(r) for r in rows]
        return self.core.transaction(run)

    # writing ----------------------------------------------------------------------
    def create(self, ctx, items):
        def run(sess):
            return [self._create(sess, ctx, data) for data in items]
        return self.core.transaction(run)

    def _create(self, sess, ctx, data):
        data = integers(data)
        prefixes = parse_prefixes(data.get('prefixes'))
        version = prefixes[0].version
        self.core.quotas.check(sess, core.require_project(ctx, data), 'subnetpool', 1)
        if data.get('ip_version') not in (None, version):
            raise nexc.InvalidInput('Invalid input: ip_version %s does not match the '
                                    'prefixes.' % data['ip_version'])
        row = P(project_id=core.require_project(ctx, data), name=data.get('name') or '',
                description=data.get('description') or '', ip_version=version,
                prefixes=[str(p) for p in prefixes], shared=data.get('shared', False),
                is_default=False, revision_number=1, allocation_serial=0)
        self._set_prefixlens(row, data, prefixes)
        row.default_quota = data.get('default_quota')
        sess.add(row)
        sess.flush()
        if row.shared:
            self.core.rbac.grant_wildcard(sess, row, rbac.SHARED, True, 'subnetpool')
        self._set_scope(sess, ctx, row, data.get('address_scope_id'))
        self._set_default(sess, row, data.get('is_default', False))
        sess.flush()
        return to_dict(row)

    def update(self, ctx, pool_id, data):
        data = integers(data)

        def run(sess):
            row = self.get_row(sess, ctx, pool_id)
            current = [ipaddress.ip_network(p) for p in row.prefixes]
            prefixes = current
            if 'prefixes' in data:
                prefixes = parse_prefixes(data['prefixes'])
                if prefixes[0].version != row.ip_version or not all(
                        any(old.subnet_of(new) for new in prefixes) for old in current):
                    raise nexc.InvalidInput('Subnet pool prefixes can be added, not removed '
                                            '(or changed to another IP version).')
                row.prefixes = [str(p) for p in prefixes]
            self._set_prefixlens(row, data, prefixes)
            for key in ('name', 'description'):
                if key in data:
                    setattr(row, key, data[key] or '')
            if 'default_quota' in data:
                row.default_quota = data['default_quota']
            if 'address_scope_id' in data:
                self._set_scope(sess, ctx, row, data['address_scope_id'])
            elif 'prefixes' in data:
                self._check_scope_overlap(sess, row)
            if 'is_default' in data:
                self._set_default(sess, row, data['is_default'])
            core.bump(row)
            sess.flush()
            return to_dict(row)
        return self.core.transaction(run)

    def delete(self, ctx, pool_id):
        def run(sess):
            row = self.get_row(sess, ctx, pool_id)
            if sess.scalar(sa.select(models.Subnet.id).where(
                    models.Subnet.subnetpool_id == row.id).limit(1)) is not None:
                raise nexc.SubnetPoolInUse('Unable to complete operation on subnet pool %s. '
                                           'Subnets are allocated from it.' % row.id)
            sess.execute(sa.delete(models.Tag).where(models.Tag.resource_id == row.id))
            sess.execute(sa.delete(models.RBACPolicy).where(
                models.RBACPolicy.object_type == 'subnetpool',
                models.RBACPolicy.object_id == row.id))
            sess.delete(row)
        self.core.transaction(run)

    @staticmethod
    def _set_prefixlens(row, data, prefixes):
        version = prefixes[0].version
        top = MAX_PREFIXLEN[version]
        if row.min_prefixlen is None:
            # A new pool: lengths not given default to what its prefixes can hand out
            # (a /16 pool does not offer /8s) and to host-sized subnets at most.
            row.min_prefixlen = max(MIN_PREFIXLEN[version], min(p.prefixlen for p in prefixes))
            row.max_prefixlen = top
            row.default_prefixlen = data.get('min_prefixlen', row.min_prefixlen)
        low = data.get('min_prefixlen', row.min_prefixlen)
        high = data.get('max_prefixlen', row.max_prefixlen)
        default = data.get('default_prefixlen', max(row.default_prefixlen, low))
        if not 0 <= low <= default <= high <= top:
            raise nexc.InvalidInput('Illegal prefix bounds: min_prefixlen %s, '
                                    'default_prefixlen %s, max_prefixlen %s (IPv%d: 0-%d).'
                                    % (low, default, high, version, top))
        row.min_prefixlen, row.default_prefixlen, row.max_prefixlen = low, default, high

    def _set_scope(self, sess, ctx, row, scope_id):
        if scope_id:
            scope_row = self.core.addressscopes.get_row(sess, ctx, scope_id)
            if scope_row.ip_version != row.ip_version:
                raise nexc.InvalidInput('Illegal subnet pool association: subnet pool %s '
                                        'cannot be associated with address scope %s of '
                                        'another IP version.' % (row.id, scope_id))
            if scope_row.project_id != row.project_id and not scope_row.shared and \
                    not ctx.is_admin and not rbac.is_granted(
                        sess, scope_row.id, row.project_id, object_type='address_scope'):
                raise nexc.AddressScopeNotFound('Address scope %s could not be found.'
                                                % scope_id)
        row.address_scope_id = scope_id or None
        sess.flush()
        self._check_scope_overlap(sess, row)

    @staticmethod
    def _check_scope_overlap(sess, row):
        """Pools of one address scope never overlap (addresses are unique in a scope)."""
        if not row.address_scope_id:
            return
        mine = [ipaddress.ip_network(p) for p in row.prefixes]
        for other in sess.scalars(sa.select(P).where(
                P.address_scope_id == row.address_scope_id, P.id != row.id)):
            for prefix in other.prefixes:
                if any(ipaddress.ip_network(prefix).overlaps(m) for m in mine):
                    raise nexc.AddressScopePrefixConflict(
                        'Failed to associate address scope: subnet pools within an address '
                        'scope must have unique prefixes (%s overlaps subnet pool %s).'
                        % (prefix, other.id))

    @staticmethod
    def _set_default(sess, row, wanted):
        if wanted and not row.is_default:
            other = sess.scalar(sa.select(P.id).where(
                P.is_default.is_(True), P.ip_version == row.ip_version, P.id != row.id))
            if other is not None:
                raise nexc.InvalidInput('Invalid input: a default subnet pool for IPv%d is '
                                        'already set (%s).' % (row.ip_version, other))
        row.is_default = bool(wanted)

    # allocation ----------------------------------------------------------------------
    def for_subnet(self, sess, ctx, data):
        """The pool a new subnet is allocated from (``subnetpool_id``, or the default
        pool of its IP version with ``use_default_subnetpool``), or None."""
        if data.get('subnetpool_id'):
            return self.get_row(sess, ctx, data['subnetpool_id'])
        if data.get('use_default_subnetpool'):
            version = data.get('ip_version', 4)
            pool = sess.scalar(sa.select(P).where(P.is_default.is_(True),
                                                  P.ip_version == version))
            if pool is None or (not ctx.is_admin and not pool.shared and
                                pool.project_id != core.project_of(ctx) and
                                not rbac.is_granted(sess, pool.id, core.project_of(ctx),
                                                    object_type='subnetpool')):
                raise nexc.BadRequest('No default subnet pool for IPv%d is available.'
                                      % version)
            return pool
        return None

    def allocate(self, sess, pool, project, data):
        """The CIDR of a new subnet from ``pool``: the one asked for (inside the pool and
        free) or the first free prefix of ``prefixlen`` (the pool's default length)."""
        data = integers(data)
        # Claim the pool first. The locking read queues concurrent allocations from
        # one pool (MariaDB, PostgreSQL) and reads the newest serial; the compare-and-set
        # catches what a database without row locks (SQLite) lets through: the loser's
        # transaction runs again and sees the winner's subnet.
        serial = sess.execute(sa.select(P.allocation_serial).where(
            P.id == pool.id).with_for_update()).scalar_one()
        claimed = sess.execute(sa.update(P).where(
            P.id == pool.id, P.allocation_serial == serial).values(
            allocation_serial=serial + 1)).rowcount
        if claimed != 1:
            raise nexc.RetryRequest()
        if data.get('ip_version') not in (None, pool.ip_version):
            raise nexc.InvalidInput('Subnet pool %s is of IP version %d.'
                                    % (pool.id, pool.ip_version))
        prefixes = [ipaddress.ip_network(p) for p in pool.prefixes]
        # A locking read too: under MariaDB's repeatable read a plain one would answer
        # from the snapshot taken before the pool's lock was granted.
        used = [(ipaddress.ip_network(cidr), owner) for cidr, owner in sess.execute(
            sa.select(models.Subnet.cidr, models.Subnet.project_id).where(
                models.Subnet.subnetpool_id == pool.id).with_for_update())]
        if data.get('cidr'):
            net = ipam.parse_cidr(data['cidr'])
            self._check_length(pool, net.prefixlen)
            if net.version != pool.ip_version or \
                    not any(net.subnet_of(p) for p in prefixes):
                raise nexc.InvalidInput('Cidr %s is not within subnet pool %s.'
                                        % (net, pool.id))
            if any(net.overlaps(u) for u, _ in used):
                raise nexc.SubnetAllocationError('Cidr %s of subnet pool %s is already in '
                                                 'use.' % (net, pool.id))
        else:
            length = data.get('prefixlen', pool.default_prefixlen)
            self._check_length(pool, length)
            net = None
            for block in _free_blocks(prefixes, [u for u, _ in used]):
                if block.prefixlen <= length:
                    net = next(block.subnets(new_prefix=length))
                    break
            if net is None:
                raise nexc.SubnetAllocationError('Insufficient prefix space to allocate a '
                                                 '/%d subnet from subnet pool %s.'
                                                 % (length, pool.id))
        self._check_quota(pool, project, net, [u for u, owner in used if owner == project])
        return net

    @staticmethod
    def _check_length(pool, length):
        if not pool.min_prefixlen <= length <= pool.max_prefixlen:
            raise nexc.InvalidInput('Unsupported prefix length /%s: subnet pool %s hands out '
                                    '/%d to /%d.' % (length, pool.id, pool.min_prefixlen,
                                                     pool.max_prefixlen))

    @staticmethod
    def _check_quota(pool, project, net, mine):
        if pool.default_quota is None:
            return
        unit = QUOTA_UNIT[pool.ip_version]

        def size(n):
            return 2 ** max(unit - n.prefixlen, 0)
        if sum(size(n) for n in mine) + size(net) > pool.default_quota:
            raise nexc.SubnetPoolQuotaExceeded('Per-project quota of subnet pool %s '
                                               '(%d) exceeded.' % (pool.id,
                                                                   pool.default_quota))
