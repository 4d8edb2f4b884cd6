"""os-floating-ips, os-floating-ip-pools and the addFloatingIp/removeFloatingIp server
actions (Nova API up to 2.35): the network service's floating IPs in Nova's format, a pool
being an external network (by name), with the caller's own token."""
from common import exceptions
from common import validation
from common import validators
from compute import clients
from compute.api import base
from compute.api import proxy

CREATE_BODY = {'type': ['object', 'null'],
               'properties': {'pool': {'type': ['string', 'null'], 'maxLength': 255}},
               'additionalProperties': True}
ACTION_BODY = {'type': 'object',
               'properties': {'address': {'type': 'string', 'minLength': 1},
                              'fixed_address': {'type': 'string', 'minLength': 1}},
               'required': ['address'], 'additionalProperties': True}
LAST_ACTION_VERSION = (2, 43)
DEFAULT_POOL = 'nova'     # Nova's [neutron] default_floating_pool
NOT_FOUND = {400: (exceptions.NotFound, 'Floating IP not found.'),
             404: (exceptions.NotFound, 'Floating IP not found.')}
# Whatever the network service refuses in an association is Nova's 400.
ASSOCIATE = {400: (exceptions.BadRequest, None), 404: (exceptions.BadRequest, None),
             409: (exceptions.BadRequest, None)}


class FloatingIps(proxy.ProxyController):
    SERVICE = 'network'

    def _pools(self, req):
        return self.call(req, 'GET', '/v2.0/networks',
                         params={'router:external': 'true'})['networks']

    def view(self, req, fip, names=None):
        instance = (fip.get('port_details') or {}).get('device_id')
        if fip.get('port_id') and instance is None:
            try:
                port = self.call(req, 'GET', '/v2.0/ports/%s' % fip['port_id'])['port']
                instance = port.get('device_id')
            except exceptions.NotFound:
                instance = None
        net = fip.get('floating_network_id')
        if names is None:
            names = {p['id']: p.get('name') for p in self._pools(req)}
        return {'id': fip['id'], 'ip': fip.get('floating_ip_address'),
                'fixed_ip': fip.get('fixed_ip_address'), 'instance_id': instance or None,
                'pool': names.get(net) or net}

    def fip(self, req, id):
        try:
            validators.uuid(str(id))
        except validators.InvalidValue:
            raise exceptions.NotFound('Floating IP not found for ID %s' % validators.quote(id))
        return self.call(req, 'GET', '/v2.0/floatingips/%s' % id,
                         errors=NOT_FOUND)['floatingip']

    def index(self, req):
        ctx = self.gate(req)
        self.authorize(req, 'os-floating-ips:list')
        fips = self.call(req, 'GET', '/v2.0/floatingips',
                         params={'project_id': ctx.project_id})['floatingips']
        names = {p['id']: p.get('name') for p in self._pools(req)}
        return {'floating_ips': [self.view(req, f, names) for f in fips]}

    def show(self, req, id):
        self.gate(req)
        self.authorize(req, 'os-floating-ips:show')
        return {'floating_ip': self.view(req, self.fip(req, id))}

    def create(self, req):
        ctx = self.gate(req)
        self.authorize(req, 'os-floating-ips:create')
        data = base.body(req, CREATE_BODY) if req.body else None
        wanted = (data or {}).get('pool')
        pools = self._pools(req)
        match = [p for p in pools if p.get('name') == (wanted or DEFAULT_POOL)] or \
            [p for p in pools if p['id'] == wanted]
        if not match and not wanted and len(pools) == 1:
            match = pools      # no pool named and one external network: that one
        if not match:
            raise exceptions.NotFound('Floating IP pool not found: %s'
                                      % validators.quote(wanted or DEFAULT_POOL))
        if len(match) > 1:
            raise exceptions.Conflict('Multiple floating IP pools match %s: use its id.'
                                      % validators.quote(wanted))
        pool = match[0]
        body = {'floatingip': {'floating_network_id': pool['id'],
                               'project_id': ctx.project_id}}
        try:
            fip = self.backend(req).request('POST', '/v2.0/floatingips', body=body)
        except clients.BackendError as exc:
            if exc.status == 409 and 'quota' in exc.message.lower():
                raise exceptions.Forbidden('IP allocation over quota in pool %s.'
                                           % pool.get('name'))
            if exc.status in (404, 409):
                raise exceptions.NotFound('No more floating IPs in pool %s.'
                                          % pool.get('name'))
            raise self.mapped(exc)
        return {'floating_ip': self.view(req, fip['floatingip'],
                                         {pool['id']: pool.get('name')})}

    def delete(self, req, id):
        self.gate(req)
        self.authorize(req, 'os-floating-ips:delete')
        self.fip(req, id)
        # The network service drops the association along with the address.
        self.call(req, 'DELETE', '/v2.0/floatingips/%s' % id, errors=NOT_FOUND)
        return base.accepted()

    def pools(self, req):
        self.gate(req)
        self.authorize(req, 'os-floating-ip-pools:list')
        return {'floating_ip_pools': [{'name': p.get('name') or p['id']}
                                      for p in self._pools(req)]}

    # server actions -----------------------------------------------------------------
    def _by_address(self, req, address):
        found = self.call(req, 'GET', '/v2.0/floatingips',
                          params={'floating_ip_address': address})['floatingips']
        if not found:
            raise exceptions.NotFound('Floating IP not found for address %s.'
                                      % validators.quote(address))
        return found[0]

    def server_action(self, req, server, name, value):
        """addFloatingIp / removeFloatingIp (up to 2.43)."""
        if base.version(req) > LAST_ACTION_VERSION:
            raise exceptions.BadRequest('There is no such action: %s' % name)
        adding = name == 'addFloatingIp'
        self.authorize(req, 'os-floating-ips:%s' % ('add' if adding else 'remove'),
                       {'project_id': server['project_id']})
        validation.validate(ACTION_BODY, value)
        fip = self._by_address(req, value['address'].strip())
        ports = self.call(req, 'GET', '/v2.0/ports',
                          params={'device_id': server['uuid']})['ports']
        if not adding:
            if not fip.get('port_id') or fip['port_id'] not in {p['id'] for p in ports}:
                raise exceptions.Conflict('Floating IP %s is not associated with instance %s.'
                                          % (fip['floating_ip_address'], server['uuid']))
            self.call(req, 'PUT', '/v2.0/floatingips/%s' % fip['id'],
                      body={'floatingip': {'port_id': None}}, errors=ASSOCIATE)
            return base.accepted()
        port, fixed = self._fixed(server, ports, value.get('fixed_address'))
        self.call(req, 'PUT', '/v2.0/floatingips/%s' % fip['id'],
                  body={'floatingip': {'port_id': port['id'], 'fixed_ip_address': fixed}},
                  errors=ASSOCIATE)
        return base.accepted()

    @staticmethod
    def _fixed(server, ports, wanted):
        """(port, fixed address) to associate: the one named, else the first IPv4 one."""
        pairs = [(p, ip['ip_address']) for p in ports for ip in p.get('fixed_ips') or []]
        if not pairs:
            raise exceptions.BadRequest('No fixed IPs associated to instance %s'
                                        % server['uuid'])
        if wanted:
            match = [pair for pair in pairs if pair[1] == wanted]
            if not match:
                raise exceptions.BadRequest('Specified fixed address not assigned to '
                                            'instance')
            return match[0]
        v4 = [pair for pair in pairs if ':' not in pair[1]]
        if not v4:
            raise exceptions.BadRequest('Unable to associate floating IP to a fixed IPv6 '
                                        'address of instance %s' % server['uuid'])
        return v4[0]


def add_routes(add, state):
    fi = FloatingIps(state)
    add('/os-floating-ips', fi, {'GET': 'index', 'POST': 'create'})
    add('/os-floating-ips/{id}', fi, {'GET': 'show', 'DELETE': 'delete'})
    add('/os-floating-ip-pools', fi, {'GET': 'pools'})
