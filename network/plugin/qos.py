"""QoS policies (qos, qos-bw-limit-direction): bandwidth limits per direction and DSCP
marking, attached to networks and ports; the bridge agent applies them to the taps."""
import sqlalchemy as sa

from common.db import query
from network import exceptions as nexc
from network.db import models
from network.plugin import core
from network.plugin import tags

Q = models.QosPolicy
RULE_TYPES = ('bandwidth_limit', 'dscp_marking')
# The DSCP values Neutron accepts: the standard per-hop behaviours and class selectors.
DSCP_MARKS = (0, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 46, 48,
              56)

FIELDS = {
    'id': query.Field(Q.id),
    'name': query.Field(Q.name),
    'description': query.Field(Q.description),
    'project_id': query.Field(Q.project_id),
    'tenant_id': query.Field(Q.project_id),
    'shared': query.Field(Q.shared, 'bool'),
    'created_at': query.Field(Q.created_at),
    'updated_at': query.Field(Q.updated_at),
    'revision_number': query.Field(Q.revision_number, 'int'),
}
FIELDS.update(tags.filter_fields(Q))


def scope(ctx):
    if ctx.is_admin:
        return None
    return sa.or_(Q.project_id == core.project_of(ctx), Q.shared.is_(True))


def rule_dict(rule):
    out = {'id': rule.id, 'qos_policy_id': rule.policy_id, 'type': rule.rule_type}
    if rule.rule_type == 'bandwidth_limit':
        out.update(max_kbps=rule.max_kbps, max_burst_kbps=rule.max_burst_kbps,
                   direction=rule.direction)
    else:
        out['dscp_mark'] = rule.dscp_mark
    return out


class QosManager:
    def __init__(self, core_):
        self.core = core_

    # policies ---------------------------------------------------------------------
    def get_row(self, sess, ctx, policy_id):
        row = core.visible_row(sess, ctx, Q, policy_id, lambda p: p.shared)
        if row is None:
            raise nexc.QosPolicyNotFound('QoS policy %s could not be found.' % policy_id)
        return row

    def _rules(self, sess, policy_id):
        return self._rules_of(sess, [policy_id]).get(policy_id, [])

    @staticmethod
    def _rules_of(sess, policy_ids):
        """{policy id: [rules]} of several policies in one query."""
        rules = {}
        for rule in sess.scalars(sa.select(models.QosRule).where(
                models.QosRule.policy_id.in_(policy_ids)).order_by(
                models.QosRule.rule_type, models.QosRule.direction)):
            rules.setdefault(rule.policy_id, []).append(rule)
        return rules

    def to_dict(self, sess, row, rules=None):
        """``rules``: the policy's rules if a list read them for its whole page."""
        rules = self._rules(sess, row.id) if rules is None else rules
        out = {'id': row.id, 'name': row.name, 'description': row.description,
               'shared': row.shared, 'is_default': False,
               'rules': [rule_dict(r) for r in rules]}
        return core.stamp(out, row)

    def show(self, ctx, policy_id):
        return self.core.transaction(
            lambda sess: self.to_dict(sess, self.get_row(sess, ctx, policy_id)))

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            rows = core.page_rows(sess, ctx, self, Q, FIELDS, scope(ctx),
                                  filters, sorts, limit, marker, page_reverse)
            rules = self._rules_of(sess, [r.id for r in rows]) if rows else {}
            return [self.to_dict(sess, r, rules.get(r.id, [])) for r in rows]
        return self.core.transaction(run)

    def create(self, ctx, items):
        def run(sess):
            out = []
            for data in items:
                row = Q(project_id=core.require_project(ctx, data), name=data.get('name') or '',
                        description=data.get('description') or '',
                        shared=data.get('shared', False), revision_number=1)
                sess.add(row)
                sess.flush()
                out.append(self.to_dict(sess, row))
            return out
        return self.core.transaction(run)

    def update(self, ctx, policy_id, data):
        def run(sess):
            row = self.get_row(sess, ctx, policy_id)
            for key in ('name', 'description', 'shared'):
                if key in data:
                    setattr(row, key, data[key] if data[key] is not None else '')
            core.bump(row)
            sess.flush()
            return self.to_dict(sess, row)
        result = self.core.transaction(run)
        self._notify_users(ctx, policy_id)
        return result

    def delete(self, ctx, policy_id):
        def run(sess):
            row = self.get_row(sess, ctx, policy_id)
            for model in (models.Network, models.Port):
                if sess.scalar(sa.select(model.id).where(
                        model.qos_policy_id == row.id).limit(1)) is not None:
                    raise nexc.QosPolicyInUse('QoS Policy %s is used by %s %s.' % (
                        row.id, model.__tablename__[:-1],
                        sess.scalar(sa.select(model.id).where(
                            model.qos_policy_id == row.id).limit(1))))
            sess.execute(sa.delete(models.Tag).where(models.Tag.resource_id == row.id))
            sess.delete(row)
        self.core.transaction(run)

    def check_usable(self, sess, ctx, policy_id):
        """The id of a policy the caller may attach (its own or shared), or None."""
        if policy_id is None:
            return None
        return self.get_row(sess, ctx, policy_id).id

    # rules ----------------------------------------------------------------------------
    def list_rules(self, ctx, policy_id, rule_type):
        def run(sess):
            row = self.get_row(sess, ctx, policy_id)
            return [rule_dict(r) for r in self._rules(sess, row.id) if r.rule_type == rule_type]
        return self.core.transaction(run)

    def _rule_row(self, sess, ctx, policy_id, rule_type, rule_id):
        policy = self.get_row(sess, ctx, policy_id)
        rule = sess.get(models.QosRule, rule_id) if isinstance(rule_id, str) else None
        if rule is None or rule.policy_id != policy.id or rule.rule_type != rule_type:
            raise nexc.QosRuleNotFound('QoS rule %s for policy %s could not be found.'
                                       % (rule_id, policy_id))
        return rule

    def show_rule(self, ctx, policy_id, rule_type, rule_id):
        return self.core.transaction(lambda sess: rule_dict(
            self._rule_row(sess, ctx, policy_id, rule_type, rule_id)))

    def create_rule(self, ctx, policy_id, rule_type, data):
        def run(sess):
            policy = self.get_row(sess, ctx, policy_id)
            rule = models.QosRule(policy_id=policy.id, rule_type=rule_type)
            self._set_rule(rule, data, creating=True)
            if sess.scalar(sa.select(models.QosRule.id).where(
                    models.QosRule.policy_id == policy.id,
                    models.QosRule.rule_type == rule_type,
                    models.QosRule.direction == rule.direction)) is not None:
                raise nexc.QoSRulesConflict('Rule %s (%s) already exists in QoS policy %s.'
                                            % (rule_type, rule.direction, policy.id))
            sess.add(rule)
            core.bump(policy)
            sess.flush()
            return rule_dict(rule)
        result = self.core.transaction(run)
        self._notify_users(ctx, policy_id)
        return result

    def update_rule(self, ctx, policy_id, rule_type, rule_id, data):
        def run(sess):
            rule = self._rule_row(sess, ctx, policy_id, rule_type, rule_id)
            self._set_rule(rule, data, creating=False)
            core.bump(sess.get(Q, rule.policy_id))
            sess.flush()
            return rule_dict(rule)
        result = self.core.transaction(run)
        self._notify_users(ctx, policy_id)
        return result

    def delete_rule(self, ctx, policy_id, rule_type, rule_id):
        def run(sess):
            rule = self._rule_row(sess, ctx, policy_id, rule_type, rule_id)
            core.bump(sess.get(Q, rule.policy_id))
            sess.delete(rule)
        self.core.transaction(run)
        self._notify_users(ctx, policy_id)

    @staticmethod
    def _set_rule(rule, data, creating):
        if rule.rule_type == 'bandwidth_limit':
            if creating:
                if 'max_kbps' not in data:
                    raise nexc.InvalidInput('Invalid input: max_kbps is required.')
                rule.direction = data.get('direction', 'egress')
                rule.max_burst_kbps = 0
            elif 'direction' in data and data['direction'] != rule.direction:
                raise nexc.InvalidInput('The direction of a bandwidth limit rule cannot '
                                        'change.')
            for key in ('max_kbps', 'max_burst_kbps'):
                if key in data:
                    setattr(rule, key, data[key])
        else:
            if creating and 'dscp_mark' not in data:
                raise nexc.InvalidInput('Invalid input: dscp_mark is required.')
            rule.direction = 'egress'
            if 'dscp_mark' in data:
                if data['dscp_mark'] not in DSCP_MARKS:
                    raise nexc.InvalidInput('Invalid input for dscp_mark: %s is not a valid '
                                            'DSCP mark.' % data['dscp_mark'])
                rule.dscp_mark = data['dscp_mark']

    def _notify_users(self, ctx, policy_id):
        """The agents re-read the ports the policy applies to (directly or by network)."""
        def run(sess):
            nets = sa.select(models.Network.id).where(models.Network.qos_policy_id == policy_id)
            return list(sess.scalars(sa.select(models.Port.id).where(sa.or_(
                models.Port.qos_policy_id == policy_id,
                sa.and_(models.Port.qos_policy_id.is_(None),
                        models.Port.network_id.in_(nets))))))
        self.core.notify(ctx, [('port', self.core.transaction(run))])

    # what the bridge agent applies ---------------------------------------------------------
    def port_rules(self, sess, port_row, network_row):
        """{'bandwidth_limit': {direction: {max_kbps, max_burst_kbps}}, 'dscp_mark': n}
        of the policy in force on a port, or None. Service ports (DHCP, router) take no
        network policy, as in Neutron."""
        policy_id = port_row.qos_policy_id
        if policy_id is None and not port_row.device_owner.startswith('network:'):
            policy_id = network_row.qos_policy_id if network_row is not None else None
        if policy_id is None:
            return None
        out = {'bandwidth_limit': {}, 'dscp_mark': None}
        for rule in self._rules(sess, policy_id):
            if rule.rule_type == 'bandwidth_limit':
                out['bandwidth_limit'][rule.direction] = {
                    'max_kbps': rule.max_kbps, 'max_burst_kbps': rule.max_burst_kbps or 0}
            else:
                out['dscp_mark'] = rule.dscp_mark
        return out
