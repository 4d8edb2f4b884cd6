"""RBAC policies (rbac-policies): an owner grants a network, subnet pool or address scope
to chosen projects or to every project (``*``): shared (ports on the network, subnets from
the pool, pools in the scope) or, for networks, external (routers and floating IPs may use
it). The ``shared`` and ``router:external`` flags follow the grants: ``shared`` is a
wildcard shared grant, ``router:external`` any external grant. A grant others depend on
(their ports, subnets, pools, floating IPs or router gateways) is not taken back (409)."""
import sqlalchemy as sa

from common.db import query
from network import exceptions as nexc
from network.db import models
from network.plugin import core

R = models.RBACPolicy
WILDCARD = '*'
SHARED = 'access_as_shared'
EXTERNAL = 'access_as_external'
ACTIONS = {'network': (SHARED, EXTERNAL), 'subnetpool': (SHARED,), 'address_scope': (SHARED,)}
MODELS = {'network': models.Network, 'subnetpool': models.SubnetPool,
          'address_scope': models.AddressScope}

FIELDS = {
    'id': query.Field(R.id),
    'project_id': query.Field(R.project_id),
    'tenant_id': query.Field(R.project_id),
    'object_type': query.Field(R.object_type),
    'object_id': query.Field(R.object_id),
    'action': query.Field(R.action),
    'target_tenant': query.Field(R.target_project),
}


def granted(project, actions=None, object_type='network'):
    """SELECT of the ids of objects granted to ``project`` or to every project."""
    stmt = sa.select(R.object_id).where(R.object_type == object_type,
                                        R.target_project.in_((WILDCARD, project)))
    if actions:
        stmt = stmt.where(R.action.in_(actions))
    return stmt


def is_granted(sess, object_id, project, actions=None, object_type='network'):
    return sess.scalar(granted(project, actions, object_type).where(
        R.object_id == object_id).limit(1)) is not None


def targeted_shared(sess, project, ids):
    """Which of network ``ids`` are shared with ``project`` by a grant naming it (they
    show ``shared: true`` to that project, as in Neutron)."""
    if not ids or not project:
        return set()
    return set(sess.scalars(sa.select(R.object_id).where(
        R.object_type == 'network', R.action == SHARED, R.target_project == project,
        R.object_id.in_(ids))))


def to_dict(row):
    return {'id': row.id, 'project_id': row.project_id, 'tenant_id': row.project_id,
            'object_type': row.object_type, 'object_id': row.object_id,
            'action': row.action, 'target_tenant': row.target_project}


def scope(ctx):
    return None if ctx.is_admin else R.project_id == core.project_of(ctx)


class RBACManager:
    def __init__(self, core_):
        self.core = core_

    # reading --------------------------------------------------------------------
    def get_row(self, sess, ctx, policy_id):
        row = core.visible_row(sess, ctx, R, policy_id)
        if row is None:
            raise nexc.RbacPolicyNotFound('RBAC policy with id %s could not be found.'
                                          % policy_id)
        return row

    def show(self, ctx, policy_id):
        return self.core.transaction(lambda sess: to_dict(self.get_row(sess, ctx, policy_id)))

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            rows = core.page_rows(sess, ctx, self, R, FIELDS, scope(ctx),
                                  filters, sorts, limit, marker, page_reverse)
            return [to_dict(r) for r in rows]
        return self.core.transaction(run)

    # writing --------------------------------------------------------------------
    def create(self, ctx, items):
        def run(sess):
            return [self._create(sess, ctx, item) for item in items]
        result = self.core.transaction(run)
        self._notify(ctx, result)
        return result

    def _notify(self, ctx, policies):
        self.core.notify(ctx, [('network', [p['object_id'] for p in policies
                                            if p['object_type'] == 'network'])])

    def _object(self, sess, ctx, object_type, object_id):
        managers = {'network': self.core.networks, 'subnetpool': self.core.subnetpools,
                    'address_scope': self.core.addressscopes}
        return managers[object_type].get_row(sess, ctx, object_id)

    def _create(self, sess, ctx, data):
        project = core.require_project(ctx, data)
        self.core.quotas.check(sess, project, 'rbac_policy', 1)
        kind = data['object_type']
        if data['action'] not in ACTIONS[kind]:
            raise nexc.InvalidInput('Invalid input: action %s is not valid for %s objects.'
                                    % (data['action'], kind))
        obj = self._object(sess, ctx, kind, data['object_id'])
        if not ctx.is_admin and obj.project_id != core.project_of(ctx):
            raise nexc.InvalidInput('Only the owner of %s %s may grant access to it.'
                                    % (kind, obj.id))
        target = data['target_tenant']
        if sess.scalar(sa.select(R.id).where(
                R.object_type == kind, R.object_id == obj.id, R.action == data['action'],
                R.target_project == target)) is not None:
            raise nexc.DuplicateRbacPolicy('An RBAC policy already exists with those '
                                           'values.')
        row = R(project_id=project, object_type=kind, object_id=obj.id,
                action=data['action'], target_project=target)
        sess.add(row)
        sess.flush()
        self.sync_flags(sess, obj, kind)
        return to_dict(row)

    def update(self, ctx, policy_id, data):
        def run(sess):
            row = self.get_row(sess, ctx, policy_id)
            target = data.get('target_tenant', row.target_project)
            if target != row.target_project:
                self._check_unused(sess, row, replacement=target)
                row.target_project = target
                sess.flush()
                self.sync_flags(sess, sess.get(MODELS[row.object_type], row.object_id),
                                row.object_type)
            return to_dict(row)
        result = self.core.transaction(run)
        self._notify(ctx, [result])
        return result

    def delete(self, ctx, policy_id):
        def run(sess):
            row = self.get_row(sess, ctx, policy_id)
            self._check_unused(sess, row)
            result = to_dict(row)
            sess.delete(row)
            sess.flush()
            self.sync_flags(sess, sess.get(MODELS[row.object_type], row.object_id),
                            row.object_type)
            return result
        self._notify(ctx, [self.core.transaction(run)])

    # what networks use ---------------------------------------------------------------
    @staticmethod
    def sync_flags(sess, net, object_type='network'):
        """``shared`` (and a network's ``router:external``) as the grants now stand."""
        if net is None:
            return
        actions = set(sess.execute(sa.select(R.action, R.target_project).where(
            R.object_type == object_type, R.object_id == net.id)).all())
        shared = (SHARED, WILDCARD) in actions
        if object_type != 'network':
            if net.shared != shared:
                net.shared = shared
                core.bump(net)
            return
        external = any(action == EXTERNAL for action, _ in actions)
        if (net.shared, net.external) != (shared, external):
            net.shared, net.external = shared, external
            if not external and net.is_default:
                sess.execute(sa.delete(models.DefaultExternalNetwork).where(
                    models.DefaultExternalNetwork.network_id == net.id))
                net.is_default = False
            core.bump(net)

    def grant_wildcard(self, sess, net, action, on, object_type='network'):
        """What setting ``shared``/``router:external`` on an object does to its grants:
        on adds the wildcard grant, off removes it (shared) or every external grant."""
        stmt = sa.select(R).where(R.object_type == object_type, R.object_id == net.id,
                                  R.action == action)
        if on:
            if sess.scalar(stmt.where(R.target_project == WILDCARD)) is None:
                sess.add(R(project_id=net.project_id, object_type=object_type,
                           object_id=net.id, action=action, target_project=WILDCARD))
        else:
            if action == SHARED:
                stmt = stmt.where(R.target_project == WILDCARD)
            for row in sess.scalars(stmt):
                self._check_unused(sess, row)
                sess.delete(row)
        sess.flush()

    def _check_unused(self, sess, row, replacement=None):
        """409 when projects that would lose access by removing ``row`` (or giving it to
        ``replacement``) still use the object."""
        net = sess.get(MODELS[row.object_type], row.object_id)
        if net is None:
            return
        remaining = set(sess.scalars(sa.select(R.target_project).where(
            R.object_type == row.object_type, R.object_id == net.id,
            R.action == row.action, R.id != row.id)))
        if replacement is not None:
            remaining.add(replacement)
        if WILDCARD in remaining:
            return
        keep = remaining | {net.project_id, ''}
        if row.object_type == 'subnetpool':
            users = sa.select(models.Subnet.project_id).where(
                models.Subnet.subnetpool_id == net.id)
        elif row.object_type == 'address_scope':
            users = sa.select(models.SubnetPool.project_id).where(
                models.SubnetPool.address_scope_id == net.id)
        elif row.action == SHARED:
            users = sa.select(models.Port.project_id).where(
                models.Port.network_id == net.id,
                models.Port.device_owner.notin_(core.SERVICE_OWNERS))
        else:
            users = sa.union(
                sa.select(models.FloatingIP.project_id).where(
                    models.FloatingIP.floating_network_id == net.id),
                sa.select(models.Router.project_id).join(
                    models.Port, models.Port.id == models.Router.gw_port_id).where(
                    models.Port.network_id == net.id))
        users = set(sess.scalars(users))
        losing = users - keep if row.target_project == WILDCARD else \
            users & {row.target_project} - keep
        if losing:
            raise nexc.RbacPolicyInUse(
                'RBAC policy on object %s cannot be removed because other objects depend '
                'on it.' % net.id)
