"""Metering (metering): labels and their rules (admin only, as in Neutron), the labels the
L3 agent counts on each router, and the counters the agents report.

A label counts on the routers of its project, or on every router when ``shared``. A rule
selects traffic through the router's external gateway: ``ingress`` enters from the
external network, ``egress`` leaves to it; ``remote_ip_prefix`` is the far end (source of
ingress, destination of egress); ``source_ip_prefix``/``destination_ip_prefix`` name
either end instead. ``excluded`` rules take their traffic out of the label's count.
"""
import ipaddress

import sqlalchemy as sa

from common.db import query
from network import exceptions as nexc
from network import ipam
from network.db import models
from network.plugin import core

L = models.MeteringLabel
R = models.MeteringLabelRule
C = models.MeteringCounter
PREFIXES = ('remote_ip_prefix', 'source_ip_prefix', 'destination_ip_prefix')
LABEL_FIELDS = {
    'id': query.Field(L.id), 'name': query.Field(L.name),
    'description': query.Field(L.description), 'shared': query.Field(L.shared, 'bool'),
    'project_id': query.Field(L.project_id), 'tenant_id': query.Field(L.project_id),
}
RULE_FIELDS = {
    'id': query.Field(R.id), 'metering_label_id': query.Field(R.metering_label_id),
    'direction': query.Field(R.direction), 'excluded': query.Field(R.excluded, 'bool'),
    'remote_ip_prefix': query.Field(R.remote_ip_prefix),
    'source_ip_prefix': query.Field(R.source_ip_prefix),
    'destination_ip_prefix': query.Field(R.destination_ip_prefix),
}


def label_dict(row):
    return {'id': row.id, 'name': row.name, 'description': row.description,
            'shared': row.shared, 'project_id': row.project_id, 'tenant_id': row.project_id}


def rule_dict(row):
    return {'id': row.id, 'metering_label_id': row.metering_label_id,
            'direction': row.direction, 'excluded': row.excluded,
            'remote_ip_prefix': row.remote_ip_prefix,
            'source_ip_prefix': row.source_ip_prefix,
            'destination_ip_prefix': row.destination_ip_prefix}


def _prefix(value, field):
    if value is None:
        return None
    net = ipam.parse_cidr(value, field)
    if net.version != 4:
        raise nexc.InvalidInput('Invalid input for %s. Reason: %s is not an IPv4 prefix '
                                '(this cloud meters IPv4 traffic).' % (field, value))
    return str(net)


class MeteringManager:
    def __init__(self, core_):
        self.core = core_

    # labels --------------------------------------------------------------------------
    def _label(self, sess, label_id):
        row = sess.get(L, label_id) if isinstance(label_id, str) else None
        if row is None:
            raise nexc.MeteringLabelNotFound('Metering label %s does not exist.' % label_id)
        return row

    def list_labels(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            marker_row = self._label(sess, marker) if marker else None
            return [label_dict(r) for r in sess.scalars(query.build(
                L, LABEL_FIELDS, None, filters, sorts, limit, marker_row, page_reverse,
                errors=nexc.QUERY_ERRORS))]
        return self.core.transaction(run)

    def show_label(self, ctx, label_id):
        return self.core.transaction(lambda sess: label_dict(self._label(sess, label_id)))

    def create_labels(self, ctx, items):
        def run(sess):
            rows = []
            for data in items:
                row = L(project_id=core.require_project(ctx, data),
                        name=data.get('name') or '',
                        description=data.get('description') or '',
                        shared=bool(data.get('shared', False)))
                sess.add(row)
                rows.append(row)
            sess.flush()
            return [label_dict(r) for r in rows]
        # A label without rules counts nothing: no agent needs to hear of it yet.
        return self.core.transaction(run)

    def update_label(self, ctx, label_id, data):
        # No attribute of a label can change (the update schema takes none).
        return self.show_label(ctx, label_id)

    def delete_label(self, ctx, label_id):
        def run(sess):
            row = self._label(sess, label_id)
            routers = self._routers_of(sess, row)
            sess.execute(sa.delete(C).where(C.label_id == row.id))
            sess.execute(sa.delete(R).where(R.metering_label_id == row.id))
            sess.delete(row)
            return routers
        self.core.notify(ctx, [('router', self.core.transaction(run))])

    # rules ---------------------------------------------------------------------------
    def _rule(self, sess, rule_id):
        row = sess.get(R, rule_id) if isinstance(rule_id, str) else None
        if row is None:
            raise nexc.MeteringLabelRuleNotFound('Metering label rule %s does not exist.'
                                                 % rule_id)
        return row

    def list_rules(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            marker_row = self._rule(sess, marker) if marker else None
            return [rule_dict(r) for r in sess.scalars(query.build(
                R, RULE_FIELDS, None, filters, sorts, limit, marker_row, page_reverse,
                errors=nexc.QUERY_ERRORS))]
        return self.core.transaction(run)

    def show_rule(self, ctx, rule_id):
        return self.core.transaction(lambda sess: rule_dict(self._rule(sess, rule_id)))

    def create_rules(self, ctx, items):
        def run(sess):
            rows, routers = [], set()
            for data in items:
                label = self._label(sess, data['metering_label_id'])
                row = R(metering_label_id=label.id, direction=data['direction'],
                        excluded=bool(data.get('excluded', False)),
                        **self._prefixes(data))
                self._check_overlap(sess, row)
                sess.add(row)
                sess.flush()
                rows.append(row)
                routers.update(self._routers_of(sess, label))
            return [rule_dict(r) for r in rows], routers
        result, routers = self.core.transaction(run)
        self.core.notify(ctx, [('router', routers)])
        return result

    @staticmethod
    def _prefixes(data):
        values = {f: _prefix(data.get(f), f) for f in PREFIXES}
        if values['remote_ip_prefix'] and (values['source_ip_prefix'] or
                                           values['destination_ip_prefix']):
            raise nexc.InvalidInput('remote_ip_prefix cannot be used together with '
                                    'source_ip_prefix or destination_ip_prefix.')
        if not any(values.values()):
            raise nexc.InvalidInput('A metering label rule needs remote_ip_prefix, '
                                    'source_ip_prefix or destination_ip_prefix.')
        return values

    @staticmethod
    def _check_overlap(sess, row):
        """As in Neutron: the remote_ip_prefix of rules of one label, direction and kind
        must not overlap (their packets would be counted twice)."""
        if row.remote_ip_prefix is None:
            return
        mine = ipaddress.ip_network(row.remote_ip_prefix)
        for other in sess.scalars(sa.select(R).where(
                R.metering_label_id == row.metering_label_id, R.direction == row.direction,
                R.excluded == row.excluded, R.remote_ip_prefix.isnot(None))):
            if mine.overlaps(ipaddress.ip_network(other.remote_ip_prefix)):
                raise nexc.MeteringLabelRuleOverlaps(
                    'Metering label rule with remote_ip_prefix %s overlaps another one.'
                    % row.remote_ip_prefix)

    def update_rule(self, ctx, rule_id, data):
        return self.show_rule(ctx, rule_id)

    def delete_rule(self, ctx, rule_id):
        def run(sess):
            row = self._rule(sess, rule_id)
            routers = self._routers_of(sess, self._label(sess, row.metering_label_id))
            sess.delete(row)
            return routers
        self.core.notify(ctx, [('router', self.core.transaction(run))])

    # agents --------------------------------------------------------------------------
    @staticmethod
    def _routers_of(sess, label):
        select = sa.select(models.Router.id)
        if not label.shared:
            select = select.where(models.Router.project_id == label.project_id)
        return list(sess.scalars(select))

    def l3_state(self, sess, router):
        """The labels counting on ``router``, each with its rules."""
        labels = list(sess.scalars(sa.select(L).where(
            sa.or_(L.shared.is_(True), L.project_id == router.project_id)).order_by(L.id)))
        if not labels:
            return []
        rules = {}
        for rule in sess.scalars(sa.select(R).where(
                R.metering_label_id.in_([lb.id for lb in labels])).order_by(R.id)):
            rules.setdefault(rule.metering_label_id, []).append(rule_dict(rule))
        return [{'id': lb.id, 'rules': rules.get(lb.id, [])} for lb in labels]

    def add_counts(self, counts):
        """Add the agent's deltas [{label_id, router_id, packets, bytes}] to the stored
        counters; counts of labels deleted meanwhile are dropped."""
        def run(sess):
            for item in counts:
                if sess.get(L, item['label_id']) is None:
                    continue
                row = sess.get(C, (item['label_id'], item['router_id']))
                if row is None:
                    row = C(label_id=item['label_id'], router_id=item['router_id'],
                            packets=0, bytes=0)
                    sess.add(row)
                row.packets = (row.packets or 0) + item['packets']
                row.bytes = (row.bytes or 0) + item['bytes']
            sess.flush()
        self.core.transaction(run)

    def report(self):
        """Per label: name, project, packets and bytes summed over routers."""
        def run(sess):
            out = []
            for label in sess.scalars(sa.select(L).order_by(L.project_id, L.name, L.id)):
                rows = list(sess.scalars(sa.select(C).where(C.label_id == label.id)))
                out.append({'id': label.id, 'name': label.name,
                            'project_id': label.project_id, 'routers': len(rows),
                            'packets': sum(r.packets for r in rows),
                            'bytes': sum(r.bytes for r in rows)})
            return out
        return self.core.transaction(run)

