"""Security groups and their rules, and the per-project ``default`` group."""
import sqlalchemy as sa

from common import validators
from common.db import query
from network import exceptions as nexc
from network import ipam
from network.db import models
from network.plugin import core
from network.plugin import tags

PROTOCOLS = {'ah': 51, 'dccp': 33, 'egp': 8, 'esp': 50, 'gre': 47, 'icmp': 1,
             'icmpv6': 58, 'ipv6-icmp': 58, 'igmp': 2, 'ipip': 4, 'ipv6-encap': 41,
             'ipv6-frag': 44, 'ipv6-nonxt': 59, 'ipv6-opts': 60, 'ipv6-route': 43,
             'ospf': 89, 'pgm': 113, 'rsvp': 46, 'sctp': 132, 'tcp': 6, 'udp': 17,
             'udplite': 136, 'vrrp': 112}
PORT_PROTOCOLS = ('tcp', 'udp', 'sctp', 'udplite', 'dccp')
ICMP_PROTOCOLS = ('icmp', 'icmpv6', 'ipv6-icmp')
BY_NUMBER = {6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6', 132: 'sctp', 136: 'udplite',
             33: 'dccp'}

SG_FIELDS = {
    'id': query.Field(models.SecurityGroup.id),
    'name': query.Field(models.SecurityGroup.name),
    'description': query.Field(models.SecurityGroup.description),
    'project_id': query.Field(models.SecurityGroup.project_id),
    'tenant_id': query.Field(models.SecurityGroup.project_id),
    'stateful': query.Field(models.SecurityGroup.stateful, 'bool'),
    'created_at': query.Field(models.SecurityGroup.created_at),
    'updated_at': query.Field(models.SecurityGroup.updated_at),
    'revision_number': query.Field(models.SecurityGroup.revision_number, 'int'),
}
SG_FIELDS.update(tags.filter_fields(models.SecurityGroup))
R = models.SecurityGroupRule
RULE_FIELDS = {
    'id': query.Field(R.id),
    'security_group_id': query.Field(R.security_group_id),
    'remote_group_id': query.Field(R.remote_group_id),
    'remote_address_group_id': query.Field(R.remote_address_group_id),
    'direction': query.Field(R.direction),
    'ethertype': query.Field(R.ethertype),
    'protocol': query.Field(R.protocol),
    'port_range_min': query.Field(R.port_range_min, 'int'),
    'port_range_max': query.Field(R.port_range_max, 'int'),
    'remote_ip_prefix': query.Field(R.remote_ip_prefix),
    'description': query.Field(R.description),
    'project_id': query.Field(R.project_id),
    'tenant_id': query.Field(R.project_id),
    'created_at': query.Field(R.created_at),
    'updated_at': query.Field(R.updated_at),
    'revision_number': query.Field(R.revision_number, 'int'),
}


def sg_scope(ctx):
    return None if ctx.is_admin else models.SecurityGroup.project_id == core.project_of(ctx)


def rule_scope(ctx):
    if ctx.is_admin:
        return None
    own = sa.select(models.SecurityGroup.id).where(
        models.SecurityGroup.project_id == core.project_of(ctx))
    return sa.or_(R.project_id == core.project_of(ctx), R.security_group_id.in_(own))


def rule_to_dict(row):
    out = {'id': row.id, 'security_group_id': row.security_group_id,
           'direction': row.direction, 'ethertype': row.ethertype, 'protocol': row.protocol,
           'port_range_min': row.port_range_min, 'port_range_max': row.port_range_max,
           'remote_ip_prefix': row.remote_ip_prefix, 'remote_group_id': row.remote_group_id,
           'remote_address_group_id': row.remote_address_group_id,
           'normalized_cidr': row.remote_ip_prefix,
           'description': row.description, 'belongs_to_default_sg': None}
    return core.stamp(out, row)


def canonical_protocol(protocol, ethertype):
    """The protocol a stored rule means, by name where it has one (``'17'`` -> ``'udp'``,
    ``ipv6-icmp`` -> ``icmpv6``, ICMP of an IPv6 rule -> ``icmpv6``); None for any."""
    if protocol is None:
        return None
    if protocol.isdigit():
        protocol = BY_NUMBER.get(int(protocol), str(int(protocol)))
    if protocol == 'ipv6-icmp' or (protocol == 'icmp' and ethertype == 'IPv6'):
        return 'icmpv6'
    return protocol


def normalize_rule(data):
    """Check a rule's fields; return the values to store. The protocol is kept as the
    client gave it (lower case), as Neutron echoes it; checks use its canonical form."""
    direction = data['direction']
    ethertype = data.get('ethertype') or 'IPv4'
    given = data.get('protocol')
    if given is not None:
        given = str(given).lower()
        if given in ('any', ''):
            given = None
    if given is not None:
        if given.isdigit():
            if not 0 <= int(given) <= 255:
                raise nexc.InvalidInput('Security group rule protocol %s not supported. Only '
                                        'protocol values %s and integer representations '
                                        '[0 to 255] are supported.'
                                        % (validators.quote(given), sorted(PROTOCOLS)))
        elif given not in PROTOCOLS:
            raise nexc.InvalidInput('Security group rule protocol %s not supported. Only '
                                    'protocol values %s and integer representations [0 to '
                                    '255] are supported.'
                                    % (validators.quote(given), sorted(PROTOCOLS)))
    protocol = canonical_protocol(given, ethertype)
    low, high = data.get('port_range_min'), data.get('port_range_max')
    if protocol is None and (low is not None or high is not None):
        raise nexc.InvalidInput('Must also specify protocol if port range is given.')
    if protocol in PORT_PROTOCOLS:
        if (low is None) != (high is None):
            raise nexc.InvalidInput('For TCP/UDP protocols, port_range_min must be <= '
                                    'port_range_max: both are given or neither.')
        if low is not None:
            for value in (low, high):
                if not 1 <= value <= 65535:
                    raise nexc.InvalidInput('Invalid value for port %s: ports are 1-65535.'
                                            % value)
            if low > high:
                raise nexc.InvalidInput('For TCP/UDP protocols, port_range_min must be <= '
                                        'port_range_max.')
    elif protocol in ICMP_PROTOCOLS:
        for name, value in (('type', low), ('code', high)):
            if value is not None and not 0 <= value <= 255:
                raise nexc.InvalidInput('Invalid value for ICMP %s (port_range_%s) %s. It '
                                        'must be 0 to 255.'
                                        % (name, 'min' if name == 'type' else 'max', value))
        if low is None and high is not None:
            raise nexc.InvalidInput('ICMP type (port-range-min) is missing for ICMP code '
                                    '(port-range-max) %s.' % high)
    elif low is not None or high is not None:
        raise nexc.InvalidInput('Protocol %s takes no port range.' % protocol)
    prefix = data.get('remote_ip_prefix')
    if prefix is not None:
        net = ipam.parse_prefix(prefix, 'remote_ip_prefix')
        if (net.version == 4) != (ethertype == 'IPv4'):
            raise nexc.InvalidInput('Conflicting value ethertype %s for CIDR %s.'
                                    % (ethertype, prefix))
        prefix = str(net)
    remotes = [prefix, data.get('remote_group_id'), data.get('remote_address_group_id')]
    if len([r for r in remotes if r]) > 1:
        raise nexc.InvalidInput('Only remote_ip_prefix or remote_group_id or '
                                'remote_address_group_id may be provided.')
    return {'direction': direction, 'ethertype': ethertype, 'protocol': given,
            'port_range_min': low, 'port_range_max': high, 'remote_ip_prefix': prefix,
            'remote_group_id': data.get('remote_group_id'),
            'remote_address_group_id': data.get('remote_address_group_id')}


def fingerprint(values):
    """One string per distinct rule: ``'17'`` and ``'udp'`` are the same rule."""
    canonical = dict(values, protocol=canonical_protocol(values['protocol'],
                                                         values['ethertype']))
    text = '|'.join(str(canonical[k]) for k in ('direction', 'ethertype', 'protocol',
                                                'port_range_min', 'port_range_max',
                                                'remote_ip_prefix', 'remote_group_id'))
    # Appended only when set, so the fingerprints of rules stored before address
    # groups existed stay what they were.
    if values.get('remote_address_group_id'):
        text += '|ag:%s' % values['remote_address_group_id']
    return text


class SecurityGroupManager:
    def __init__(self, core_):
        self.core = core_

    # groups --------------------------------------------------------------------
    def get_row(self, sess, ctx, sg_id):
        row = core.visible_row(sess, ctx, models.SecurityGroup, sg_id)
        if row is None:
            raise nexc.SecurityGroupNotFound('Security group %s does not exist.' % sg_id)
        return row

    def ensure_default(self, sess, project_id):
        """The id of the project's ``default`` group, created on first use."""
        existing = sess.get(models.DefaultSecurityGroup, project_id)
        if existing is not None:
            return existing.security_group_id
        group = models.SecurityGroup(project_id=project_id, name='default',
                                     description='Default security group', revision_number=1)
        sess.add(group)
        sess.flush()
        # Two requests racing here collide on this primary key; the loser is retried.
        sess.add(models.DefaultSecurityGroup(project_id=project_id,
                                             security_group_id=group.id))
        sess.flush()
        for ethertype in ('IPv4', 'IPv6'):
            for direction, remote in (('ingress', group.id), ('egress', None)):
                values = {'direction': direction, 'ethertype': ethertype, 'protocol': None,
                          'port_range_min': None, 'port_range_max': None,
                          'remote_ip_prefix': None, 'remote_group_id': remote}
                sess.add(R(project_id=project_id, security_group_id=group.id,
                           fingerprint=fingerprint(values), revision_number=1, **values))
        sess.flush()
        return group.id

    def to_dict(self, sess, row, rules=None):
        if rules is None:
            rules = list(sess.scalars(sa.select(R).where(R.security_group_id == row.id)
                                      .order_by(R.created_at, R.id)))
        out = {'id': row.id, 'name': row.name, 'description': row.description,
               'stateful': row.stateful, 'shared': False,
               'security_group_rules': [rule_to_dict(r) for r in rules]}
        return core.stamp(out, row)

    def show(self, ctx, sg_id):
        return self.core.transaction(
            lambda sess: self.to_dict(sess, self.get_row(sess, ctx, sg_id)))

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            if ctx.project_id:
                self.ensure_default(sess, ctx.project_id)
            rows = core.page_rows(sess, ctx, self, models.SecurityGroup, SG_FIELDS, sg_scope(ctx),
                                  filters, sorts, limit, marker, page_reverse)
            rules = {}
            if rows:
                for rule in sess.scalars(sa.select(R).where(R.security_group_id.in_(
                        [r.id for r in rows])).order_by(R.created_at, R.id)):
                    rules.setdefault(rule.security_group_id, []).append(rule)
            return [self.to_dict(sess, r, rules.get(r.id, [])) for r in rows]
        return self.core.transaction(run)

    def create(self, ctx, items):
        def run(sess):
            out = []
            for data in items:
                project = core.require_project(ctx, data)
                self.ensure_default(sess, project)
                if data.get('name') == 'default':
                    raise nexc.Conflict('Default security group already exists.')
                self.core.quotas.check(sess, project, 'security_group', 1)
                row = models.SecurityGroup(project_id=project, name=data.get('name') or '',
                                           description=data.get('description') or '',
                                           stateful=data.get('stateful', True),
                                           revision_number=1)
                sess.add(row)
                sess.flush()
                for ethertype in ('IPv4', 'IPv6'):
                    values = {'direction': 'egress', 'ethertype': ethertype, 'protocol': None,
                              'port_range_min': None, 'port_range_max': None,
                              'remote_ip_prefix': None, 'remote_group_id': None}
                    sess.add(R(project_id=project, security_group_id=row.id,
                               fingerprint=fingerprint(values), revision_number=1, **values))
                sess.flush()
                out.append(self.to_dict(sess, row))
            return out
        return self.core.transaction(run)

    def update(self, ctx, sg_id, data):
        def run(sess):
            row = self.get_row(sess, ctx, sg_id)
            if row.name == 'default' and data.get('name') not in (None, 'default'):
                raise nexc.Conflict('Updating default security group not allowed.')
            if data.get('name') == 'default' and row.name != 'default':
                raise nexc.Conflict("A security group other than the project's default "
                                    "cannot be named 'default'.")
            for key in ('name', 'description', 'stateful'):
                if key in data:
                    setattr(row, key, data[key] if data[key] is not None else '')
            core.bump(row)
            sess.flush()
            return self.to_dict(sess, row)
        result = self.core.transaction(run)
        self.core.notify(ctx, [('security_group', [sg_id])])
        return result

    def delete(self, ctx, sg_id):
        def run(sess):
            row = self.get_row(sess, ctx, sg_id)
            default = sess.get(models.DefaultSecurityGroup, row.project_id)
            if default is not None and default.security_group_id == row.id \
                    and not ctx.is_admin:
                raise nexc.SecurityGroupCannotRemoveDefault(
                    'Insufficient rights for removing default security group.')
            in_use = sess.scalar(sa.select(sa.func.count()).select_from(
                models.PortSecurityGroup).where(
                models.PortSecurityGroup.security_group_id == row.id))
            if in_use:
                raise nexc.SecurityGroupInUse('Security Group %s in use.' % row.id)
            sess.execute(sa.delete(R).where(sa.or_(R.security_group_id == row.id,
                                                   R.remote_group_id == row.id)))
            sess.execute(sa.delete(models.DefaultSecurityGroup).where(
                models.DefaultSecurityGroup.security_group_id == row.id))
            sess.delete(row)
        self.core.transaction(run)
        self.core.notify(ctx, [('security_group', [sg_id])])

    # rules ---------------------------------------------------------------------------
    def get_rule(self, sess, ctx, rule_id):
        row = sess.get(R, rule_id) if isinstance(rule_id, str) else None
        if row is not None and not ctx.is_admin and row.project_id != core.project_of(ctx):
            group = sess.get(models.SecurityGroup, row.security_group_id)
            if group.project_id != core.project_of(ctx):
                row = None
        if row is None:
            raise nexc.SecurityGroupRuleNotFound('Security group rule %s does not exist.'
                                                 % rule_id)
        return row

    def show_rule(self, ctx, rule_id):
        return self.core.transaction(lambda sess: rule_to_dict(self.get_rule(sess, ctx,
                                                                             rule_id)))

    def list_rules(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            marker_row = self.get_rule(sess, ctx, marker) if marker else None
            stmt = query.build(R, RULE_FIELDS, rule_scope(ctx), filters, sorts, limit,
                               marker_row, page_reverse, errors=nexc.QUERY_ERRORS)
            return [rule_to_dict(r) for r in sess.scalars(stmt)]
        return self.core.transaction(run)

    def create_rules(self, ctx, items):
        def run(sess):
            out = []
            for data in items:
                group = self.get_row(sess, ctx, data['security_group_id'])
                values = normalize_rule(data)
                if values['remote_group_id']:
                    self.get_row(sess, ctx, values['remote_group_id'])
                if values['remote_address_group_id']:
                    self.core.addressgroups.get_row(sess, ctx,
                                                    values['remote_address_group_id'])
                project = core.require_project(ctx, data)
                self.core.quotas.check(sess, project, 'security_group_rule', 1)
                fp = fingerprint(values)
                dup = sess.scalar(sa.select(R.id).where(R.security_group_id == group.id,
                                                        R.fingerprint == fp))
                if dup is not None:
                    raise nexc.SecurityGroupRuleExists('Security group rule already exists. '
                                                       'Rule id is %s.' % dup)
                row = R(project_id=project, security_group_id=group.id, fingerprint=fp,
                        description=data.get('description') or '', revision_number=1,
                        **values)
                sess.add(row)
                sess.flush()
                out.append(rule_to_dict(row))
            return out
        result = self.core.transaction(run)
        self.core.notify(ctx, [('security_group', [r['security_group_id'] for r in result])])
        return result

    def update_rule(self, ctx, rule_id, data):
        def run(sess):
            row = self.get_rule(sess, ctx, rule_id)
            if 'description' in data:
                row.description = data['description'] or ''
            core.bump(row)
            sess.flush()
            return rule_to_dict(row)
        return self.core.transaction(run)

    def delete_rule(self, ctx, rule_id):
        def run(sess):
            row = self.get_rule(sess, ctx, rule_id)
            sess.delete(row)
            return row.security_group_id
        sg_id = self.core.transaction(run)
        self.core.notify(ctx, [('security_group', [sg_id])])
