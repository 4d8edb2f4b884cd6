"""os-security-groups, os-security-group-rules and a server's groups (Nova API up to 2.35):
the network service's security groups in Nova's format, with the caller's own token."""
import ipaddress

from common import exceptions
from common import validation
from common import validators
from compute import clients
from compute.api import base
from compute.api import proxy

GROUP_BODY = {'type': 'object', 'properties': {'security_group': {'type': 'object'}},
              'required': ['security_group'], 'additionalProperties': True}
RULE_BODY = {'type': 'object', 'properties': {'security_group_rule': {'type': 'object'}},
             'required': ['security_group_rule'], 'additionalProperties': True}
ACTION_BODY = {'type': 'object', 'properties': {'name': {'type': 'string', 'minLength': 1,
                                                          'maxLength': 255}},
               'required': ['name'], 'additionalProperties': True}
# Nova's answers for the network service's errors on groups and rules.
GROUP_ERRORS = {404: (exceptions.NotFound, None), 409: (exceptions.BadRequest, None)}
# (Nova answers the network service's conflicts on create, over quota mostly, with a 403.)
CREATE_ERRORS = {404: (exceptions.NotFound, None), 409: (exceptions.Forbidden, None)}
RULE_ERRORS = CREATE_ERRORS


def _uuid(value, what='Security group'):
    try:
        return validators.uuid(str(value))
    except validators.InvalidValue:
        raise exceptions.BadRequest('%s id should be uuid' % what)


def _text(data, name):
    """Nova's check of a group's name or description: a string of <= 255 that is not
    only blanks; it is kept as given (leading and trailing spaces too)."""
    value = data.get(name)
    if not isinstance(value, str):
        raise exceptions.BadRequest('Security group %s is not a string or unicode' % name)
    if not value.strip():
        raise exceptions.BadRequest('Security group %s cannot be empty.' % name)
    if len(value) > 255:
        raise exceptions.BadRequest('Security group %s should not be greater than 255 '
                                    'characters.' % name)
    return value


def rule_ports(rule):
    """(from_port, to_port) of a network rule as Nova shows them."""
    low, high = rule.get('port_range_min'), rule.get('port_range_max')
    proto = rule.get('protocol')
    if proto and low is None and high is None:
        return (1, 65535) if proto.upper() in ('TCP', 'UDP') else (-1, -1)
    return low, high


def new_rule(data):
    """Nova's checks of a rule's protocol and ports: the network rule's fields, or None
    when a CIDR rule lacks its protocol and ports."""
    proto, low, high = data.get('ip_protocol'), data.get('from_port'), data.get('to_port')
    if not (proto and low is not None and high is not None):
        return {}
    proto = str(proto)
    try:
        low, high = int(low), int(high)
    except (TypeError, ValueError):
        raise exceptions.BadRequest('Type and Code must be integers for ICMP protocol type'
                                    if proto.upper() == 'ICMP' else
                                    'To and From ports must be integers')
    if proto.upper() not in ('TCP', 'UDP', 'ICMP'):
        raise exceptions.BadRequest('Invalid IP protocol %s.' % validators.quote(proto))
    if proto.upper() in ('TCP', 'UDP'):
        if low > high:
            raise exceptions.BadRequest('Invalid port range %d:%d. Former value cannot be '
                                        'greater than the later' % (low, high))
        if low < 1 or high > 65535:
            raise exceptions.BadRequest('Invalid port range %d:%d. Valid %s ports should be '
                                        'between 1-65535' % (low, high, proto.upper()))
    elif not (-1 <= low <= 255 and -1 <= high <= 255):
        raise exceptions.BadRequest('Invalid port range %d:%d. For ICMP, the type:code must '
                                    'be valid' % (low, high))
    rule = {'protocol': proto.lower()}
    if proto.upper() != 'ICMP' or low != -1:
        rule['port_range_min'] = low
    if proto.upper() != 'ICMP' or high != -1:
        rule['port_range_max'] = high
    return rule


class SecurityGroups(proxy.ProxyController):
    SERVICE = 'network'

    # views ---------------------------------------------------------------------------
    def rule_view(self, req, rule, groups=None):
        low, high = rule_ports(rule)
        view = {'id': rule['id'], 'parent_group_id': rule['security_group_id'],
                'ip_protocol': rule.get('protocol'), 'from_port': low, 'to_port': high,
                'group': {}, 'ip_range': {}}
        remote = rule.get('remote_group_id')
        if remote:
            source = (groups or {}).get(remote) or self._group(req, remote, quiet=True) or {}
            view['group'] = {'name': source.get('name'),
                             'tenant_id': source.get('tenant_id') or source.get('project_id')}
        else:
            view['ip_range'] = {'cidr': rule.get('remote_ip_prefix') or (
                '::/0' if rule.get('ethertype') == 'IPv6' else '0.0.0.0/0')}
        return view

    def group_view(self, req, group, groups=None):
        groups = dict(groups or {}, **{group['id']: group})
        return {'id': group['id'], 'name': group.get('name'),
                'description': group.get('description') or '',
                'tenant_id': group.get('tenant_id') or group.get('project_id'),
                'rules': [self.rule_view(req, r, groups)
                          for r in group.get('security_group_rules') or []
                          if r.get('direction') == 'ingress']}

    def _group(self, req, id, quiet=False):
        try:
            return self.call(req, 'GET', '/v2.0/security-groups/%s' % id,
                             errors=GROUP_ERRORS)['security_group']
        except exceptions.NotFound:
            if quiet:
                return None
            raise

    def group(self, req, id):
        """The group ``id`` (a 404 for a malformed or unknown id, as Nova)."""
        try:
            validators.uuid(str(id))
        except validators.InvalidValue:
            raise exceptions.NotFound('Security group %s not found.' % validators.quote(id))
        return self._group(req, id)

    def views(self, req, groups):
        by_id = {g['id']: g for g in groups}
        return [self.group_view(req, g, by_id) for g in groups]

    # groups --------------------------------------------------------------------------
    def index(self, req):
        ctx = self.gate(req)
        self.authorize(req, 'os-security-groups:get')
        params = {}
        if not (base.bool_param(req, 'all_tenants', False) and ctx.is_admin):
            params['project_id'] = ctx.project_id
        groups = self.call(req, 'GET', '/v2.0/security-groups',
                           params=params)['security_groups']
        limit, _ = base.limit_marker(req)
        offset = base.int_param(req, 'offset', 0)
        groups = groups[offset:offset + limit if limit is not None else None]
        return {'security_groups': self.views(req, groups)}

    def show(self, req, id):
        self.gate(req)
        self.authorize(req, 'os-security-groups:show')
        return {'security_group': self.group_view(req, self.group(req, id))}

    def create(self, req):
        self.gate(req)
        self.authorize(req, 'os-security-groups:create')
        data = base.body(req, GROUP_BODY, 'security_group')
        values = {'name': _text(data, 'name'), 'description': _text(data, 'description')}
        group = self.call(req, 'POST', '/v2.0/security-groups',
                          body={'security_group': values},
                          errors=CREATE_ERRORS)['security_group']
        return {'security_group': self.group_view(req, group)}

    def update(self, req, id):
        self.gate(req)
        self.authorize(req, 'os-security-groups:update')
        data = base.body(req, GROUP_BODY, 'security_group')
        values = {'name': _text(data, 'name'), 'description': _text(data, 'description')}
        self.group(req, id)
        group = self.call(req, 'PUT', '/v2.0/security-groups/%s' % id,
                          body={'security_group': values},
                          errors=GROUP_ERRORS)['security_group']
        return {'security_group': self.group_view(req, group)}

    def delete(self, req, id):
        self.gate(req)
        self.authorize(req, 'os-security-groups:delete')
        self.group(req, id)
        # The network service refuses the default group and groups in use with a 409;
        # Nova answers 400 for both.
        self.call(req, 'DELETE', '/v2.0/security-groups/%s' % id, errors=GROUP_ERRORS)
        return base.accepted()

    # rules ---------------------------------------------------------------------------
    def rule_create(self, req):
        self.gate(req)
        self.authorize(req, 'os-security-groups:rule:create')
        data = base.body(req, RULE_BODY, 'security_group_rule')
        parent_id = data.get('parent_group_id')
        if parent_id is None:
            raise exceptions.BadRequest('parent_group_id is required.')
        parent = self._group(req, _uuid(parent_id))
        rule = new_rule(data)
        group_id, cidr = data.get('group_id'), data.get('cidr')
        if group_id:
            source = self._group(req, _uuid(group_id))
            rule['remote_group_id'] = source['id']
        else:
            if not rule:    # a CIDR rule needs its protocol and both ports
                raise exceptions.BadRequest('Not enough parameters to build a valid rule.')
            cidr = cidr or '0.0.0.0/0'
            try:
                net = ipaddress.ip_network(str(cidr), strict=False)
            except ValueError:
                raise exceptions.BadRequest('Invalid cidr %s.' % validators.quote(cidr))
            rule['remote_ip_prefix'] = str(cidr).strip()   # as given, as Nova passes it
            rule['ethertype'] = 'IPv%d' % net.version
        rule.setdefault('ethertype', 'IPv4')
        rule.update({'security_group_id': parent['id'], 'direction': 'ingress'})
        if self._exists(parent, rule):
            raise exceptions.BadRequest('This rule already exists in group %s'
                                        % parent['id'])
        try:
            created = self.backend(req).request('POST', '/v2.0/security-group-rules',
                                                body={'security_group_rule': rule})
        except clients.BackendError as exc:
            if exc.status == 409 and 'exist' in exc.message.lower():
                raise exceptions.BadRequest('This rule already exists in group %s'
                                            % parent['id'])
            raise self.mapped(exc, RULE_ERRORS)
        created = created['security_group_rule']
        return {'security_group_rule': self.rule_view(req, created, {parent['id']: parent})}

    @staticmethod
    def _exists(group, rule):
        keys = ('protocol', 'port_range_min', 'port_range_max', 'remote_ip_prefix',
                'remote_group_id', 'ethertype', 'direction')

        def norm(r):
            # "any address" may be stored as the prefix or as no prefix at all
            values = {k: r.get(k) for k in keys}
            if values['remote_ip_prefix'] in ('0.0.0.0/0', '::/0'):
                values['remote_ip_prefix'] = None
            return values
        return any(norm(r) == norm(rule) for r in group.get('security_group_rules') or [])

    def rule_delete(self, req, id):
        self.gate(req)
        self.authorize(req, 'os-security-groups:rule:delete')
        try:
            validators.uuid(str(id))
        except validators.InvalidValue:
            raise exceptions.NotFound('Security group rule %s not found.'
                                      % validators.quote(id))
        self.call(req, 'DELETE', '/v2.0/security-group-rules/%s' % id, errors=GROUP_ERRORS)
        return base.accepted()

    # servers -------------------------------------------------------------------------
    def _ports(self, req, server):
        return self.call(req, 'GET', '/v2.0/ports',
                         params={'device_id': server['uuid']})['ports']

    def server_index(self, req, server):
        """The groups of a server's ports (at every microversion, as Nova)."""
        self.authorize(req, 'os-security-groups:list', {'project_id': server['project_id']})
        ids = []
        for port in self._ports(req, server):
            ids += [i for i in port.get('security_groups') or [] if i not in ids]
        if not ids:
            return {'security_groups': []}
        groups = self.call(req, 'GET', '/v2.0/security-groups',
                           params={'id': ids})['security_groups']
        return {'security_groups': self.views(req, groups)}

    def _named(self, req, server, name):
        groups = self.call(req, 'GET', '/v2.0/security-groups',
                           params={'project_id': server['project_id']})['security_groups']
        match = [g for g in groups if g['name'] == name] or \
            [g for g in groups if g['id'] == name]
        if not match:
            raise exceptions.NotFound('Security group %s not found for project %s.'
                                      % (validators.quote(name), server['project_id']))
        if len(match) > 1:
            raise exceptions.Conflict('Multiple security groups named %s: use its id.'
                                      % validators.quote(name))
        return match[0]

    def server_action(self, req, server, name, value):
        """addSecurityGroup / removeSecurityGroup: every port of the server gains or loses
        the group (400 when it already has it / does not have it, as Nova); at every
        microversion."""
        adding = name == 'addSecurityGroup'
        self.authorize(req, 'os-security-groups:%s' % ('add' if adding else 'remove'),
                       {'project_id': server['project_id']})
        if not isinstance(value, dict):
            raise exceptions.BadRequest("Invalid input for field 'name'.")
        validation.validate(ACTION_BODY, value)
        group = self._named(req, server, value['name'].strip())
        ports = self._ports(req, server)
        if not ports:
            raise exceptions.BadRequest('Server %s has no port to %s a security group.'
                                        % (server['uuid'], 'add' if adding else 'remove'))
        has = [p for p in ports if group['id'] in (p.get('security_groups') or [])]
        if adding and has:
            raise exceptions.BadRequest('Security group %s already associated with the '
                                        'instance %s' % (group['name'], server['uuid']))
        if not adding and not has:
            raise exceptions.BadRequest('Security group %s not associated with the instance '
                                        '%s' % (group['name'], server['uuid']))
        for port in ports:
            current = list(port.get('security_groups') or [])
            wanted = current + [group['id']] if adding else \
                [i for i in current if i != group['id']]
            if wanted != current:
                self.call(req, 'PUT', '/v2.0/ports/%s' % port['id'],
                          body={'port': {'security_groups': wanted}})
        names = [n for n in server.get('security_groups') or [] if n != group['name']]
        self.engine.set_security_groups(base.context(req), server,
                                        names + [group['name']] if adding else names)
        return base.accepted()


def add_routes(add, state):
    sg = SecurityGroups(state)
    add('/os-security-groups', sg, {'GET': 'index', 'POST': 'create'})
    add('/os-security-groups/{id}', sg, {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})
    add('/os-security-group-rules', sg, {'POST': 'rule_create'})
    add('/os-security-group-rules/{id}', sg, {'DELETE': 'rule_delete'})
