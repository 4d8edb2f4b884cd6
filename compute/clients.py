"""Calls compute makes to the image and network services, as the compute service user
(``[service_user]``, common.client.service_session).

Visibility is checked here against the requesting project (an image or network the user
could not see is 'not found' to them), so one service session serves every request.
"""
import logging
import urllib.parse

from common import client as client_mod

LOG = logging.getLogger(__name__)

GROUP = 'service_user'


def service_session(conf):
    """The keystoneauth session of ``[service_user]``."""
    return client_mod.service_session(conf, GROUP)


class NotFound(Exception):
    pass


def _typed(cls, conf, endpoint, session):
    su = getattr(conf, GROUP)
    return cls(session or service_session(conf), interface=su.interface,
               region_name=su.region_name, endpoint_override=endpoint)


class ImageClient:
    def __init__(self, conf, session=None):
        self.client = _typed(client_mod.ImageClient, conf, conf.service_user.image_endpoint,
                             session)

    def get(self, image_id, project_id=None):
        """The image record (visible to ``project_id``, None: any); NotFound otherwise."""
        try:
            image = self.client.get('/v2/images/%s' % image_id).json()
        except client_mod.ClientError as exc:
            if exc.status in (400, 404):
                raise NotFound(image_id) from None
            raise
        if project_id is not None and image.get('visibility') not in ('public', 'community') \
                and image.get('owner') != project_id and not self._shared(image, project_id):
            raise NotFound(image_id)
        return image

    def _shared(self, image, project_id):
        if image.get('visibility') != 'shared':
            return False
        try:
            member = self.client.get('/v2/images/%s/members/%s'
                                     % (image['id'], project_id)).json()
        except client_mod.ClientError:
            return False
        return member.get('status') == 'accepted'

    def download(self, image_id, chunk_size=1 << 20):
        """Yield the image's bytes."""
        resp = self.client.get('/v2/images/%s/file' % image_id, stream=True)
        try:
            yield from resp.iter_content(chunk_size)
        finally:
            resp.close()

    def create(self, values):
        return self.client.post('/v2/images', json_body=values).json()

    def list_(self, filters):
        """Every image matching ``filters`` (query parameters of GET /v2/images), all
        pages."""
        return client_mod.walk_pages(
            lambda params: self.client.get('/v2/images', params=params).json(),
            'images', filters, page_size=100)

    def upload(self, image_id, fileobj):
        self.client.request('PUT', '/v2/images/%s/file' % image_id, data=fileobj,
                            headers={'Content-Type': 'application/octet-stream'})

    def delete(self, image_id):
        try:
            self.client.delete('/v2/images/%s' % image_id)
        except client_mod.ClientError as exc:
            if exc.status != 404:
                raise


# An image record's attributes that are not its free-form properties.
IMAGE_CORE = frozenset((
    'id', 'name', 'disk_format', 'container_format', 'size', 'checksum', 'os_hash_algo',
    'os_hash_value', 'min_disk', 'min_ram', 'status', 'visibility', 'owner', 'protected',
    'tags', 'created_at', 'updated_at', 'file', 'schema', 'self', 'virtual_size',
    'locations', 'direct_url', 'os_hidden', 'stores'))


def image_properties(image):
    """The free-form properties of an image record (Nova's image ``metadata``)."""
    return {k: v for k, v in image.items() if k not in IMAGE_CORE}


def image_meta(image):
    """The driver's ImageMeta dict of an image record."""
    return {'id': image['id'], 'name': image.get('name') or '',
            'disk_format': image.get('disk_format'),
            'container_format': image.get('container_format'), 'size': image.get('size'),
            'checksum': image.get('checksum'), 'os_hash_algo': image.get('os_hash_algo'),
            'os_hash_value': image.get('os_hash_value'), 'min_disk': image.get('min_disk') or 0,
            'min_ram': image.get('min_ram') or 0,
            'properties': {k: v for k, v in image.items()
                           if k not in IMAGE_CORE and isinstance(v, str)}}


class NetworkClient:
    def __init__(self, conf, session=None):
        self.client = _typed(client_mod.NetworkClient, conf,
                             conf.service_user.network_endpoint, session)

    def _get(self, path, params=None):
        try:
            return self.client.get(path, params=params).json()
        except client_mod.ClientError as exc:
            if exc.status == 404:
                raise NotFound(path) from None
            raise

    def get_network(self, network_id, project_id=None):
        net = self._get('/v2.0/networks/%s' % network_id)['network']
        if project_id is not None and not net.get('shared') \
                and net.get('project_id') != project_id:
            raise NotFound(network_id)
        return net

    def list_networks(self, project_id):
        """Networks a project may boot on: its own plus shared, never external-only."""
        own = self._get('/v2.0/networks', {'project_id': project_id})['networks']
        shared = self._get('/v2.0/networks', {'shared': 'true'})['networks']
        seen, result = set(), []
        for net in own + shared:
            if net['id'] not in seen and not net.get('router:external'):
                seen.add(net['id'])
                result.append(net)
        return result

    def get_port(self, port_id, project_id=None):
        port = self._get('/v2.0/ports/%s' % port_id)['port']
        if project_id is not None and port.get('project_id') != project_id:
            raise NotFound(port_id)
        return port

    def list_ports(self, **filters):
        return self._get('/v2.0/ports', filters)['ports']

    def security_group_ids(self, project_id, names):
        """Ids of the project's groups named (or id'd) in ``names``; NotFound for a missing one."""
        groups = self._get('/v2.0/security-groups', {'project_id': project_id})[
            'security_groups']
        ids = []
        for name in names:
            match = [g['id'] for g in groups if name in (g['name'], g['id'])]
            if not match:
                raise NotFound('security group %s' % name)
            ids.append(match[0])
        return ids

    def create_port(self, body):
        return self.client.post('/v2.0/ports', json_body={'port': body}).json()['port']

    def update_port(self, port_id, body):
        return self.client.put('/v2.0/ports/%s' % port_id,
                               json_body={'port': body}).json()['port']

    def delete_port(self, port_id):
        try:
            self.client.delete('/v2.0/ports/%s' % port_id)
        except client_mod.ClientError as exc:
            if exc.status != 404:
                raise

    def get_subnet(self, subnet_id):
        return self._get('/v2.0/subnets/%s' % subnet_id)['subnet']

    def floating_ips(self, port_id):
        return [f['floating_ip_address'] for f in self._get(
            '/v2.0/floatingips', {'port_id': port_id})['floatingips']]


VOLUME_VERSION = 'volume 3.44'     # attachments (3.27) with os-complete (3.44)


class VolumeNotFound(NotFound):
    pass


class BackendError(Exception):
    """A service compute called answered HTTP ``status`` (a proxy API maps it as Nova)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class VolumeError(BackendError):
    """Block storage refused or failed a request; ``status`` is its HTTP code."""


class VolumeClient:
    """Block storage as compute calls it for one request: with the user's token and the
    service user's token as ``X-Service-Token`` (as Nova sends), so block storage applies
    the user's own rights; without a user token (periodic tasks, recovery) as the service
    user.  The endpoint is the catalog's (or ``[service_user] volume_endpoint``) for the
    acting project."""

    def __init__(self, conf, ctx, session=None):
        self.conf = conf
        self.ctx = ctx
        self._service = session

    @property
    def service(self):
        if self._service is None:
            self._service = service_session(self.conf)
        return self._service

    def _base(self):
        """The block storage URL without a project: ``http://host:8776/v3``."""
        override = self.conf.service_user.volume_endpoint
        if override:
            return override.rstrip('/')
        su = self.conf.service_user
        url = client_mod.VolumeClient(self.service, interface=su.interface,
                                      region_name=su.region_name).endpoint()
        project = self.service.get_project_id()
        if project and url.endswith('/' + project):
            url = url[:-len(project) - 1]
        return url

    def _client(self):
        token = getattr(self.ctx, 'auth_token', None)
        if token:
            project = self.ctx.project_id
            session, headers = user_session(self._base() + '/' + project, token,
                                            self.service)
        else:
            project = self.service.get_project_id()
            session = self.service
            headers = {}
        endpoint = self._base() + '/' + project
        return client_mod.VolumeClient(session, endpoint_override=endpoint), headers

    def _request(self, method, path, body=None, ok_404=False):
        client, headers = self._client()
        headers['OpenStack-API-Version'] = VOLUME_VERSION
        try:
            resp = client.request(method, path, json_body=body, headers=headers)
        except client_mod.ClientError as exc:
            if exc.status == 404:
                if ok_404:
                    return None
                raise VolumeNotFound(path) from None
            raise VolumeError(exc.status or 500, exc.message) from None
        if resp.status_code == 204 or not resp.content:
            return {}
        return resp.json()

    def request(self, method, path, body=None):
        """Any block storage call (the os-volumes/os-snapshots proxies)."""
        return self._request(method, path, body)

    # volumes
    def get(self, volume_id):
        return self._request('GET', '/volumes/%s' % volume_id)['volume']

    def create(self, size, name, image_id=None, volume_type=None, availability_zone=None):
        body = {'size': size, 'name': name}
        if image_id:
            body['imageRef'] = image_id
        if volume_type:
            body['volume_type'] = volume_type
        if availability_zone:
            body['availability_zone'] = availability_zone
        return self._request('POST', '/volumes', {'volume': body})['volume']

    def delete(self, volume_id):
        self._request('DELETE', '/volumes/%s' % volume_id, ok_404=True)

    # attachments (blockstore/README.md: the handshake)
    def attachment_create(self, volume_id, instance_uuid, connector=None):
        body = {'volume_uuid': volume_id, 'instance_uuid': instance_uuid, 'mode': 'rw'}
        if connector:
            body['connector'] = connector
        return self._request('POST', '/attachments', {'attachment': body})['attachment']

    def attachment_update(self, attachment_id, connector):
        return self._request('PUT', '/attachments/%s' % attachment_id,
                             {'attachment': {'connector': connector}})['attachment']

    def attachment_complete(self, attachment_id):
        self._request('POST', '/attachments/%s/action' % attachment_id,
                      {'os-complete': None})

    def attachment_delete(self, attachment_id):
        """Ends the connection; an attachment already gone is fine."""
        self._request('DELETE', '/attachments/%s' % attachment_id, ok_404=True)


def user_session(endpoint, token, service):
    """A session sending the user's ``token`` to ``endpoint``, and the headers adding the
    service user's token as ``X-Service-Token`` (as Nova sends)."""
    return (client_mod.token_session(endpoint, token),
            {'X-Service-Token': service.get_token()})


class ProxyClient:
    """The image or network service called for one request of compute's proxy APIs (images,
    os-security-groups, os-floating-ips, os-networks): with the caller's own token (the
    backing service's policy decides), the endpoint from ``[service_user]`` or the
    catalog."""

    TYPES = {'image': (client_mod.ImageClient, 'image_endpoint'),
             'network': (client_mod.NetworkClient, 'network_endpoint')}

    def __init__(self, conf, ctx, service, session=None, holder=None):
        self.conf = conf
        self.ctx = ctx
        self.cls, self.override = self.TYPES[service]
        self._service = session
        self.holder = holder      # keeps one service user session for every request

    @property
    def service(self):
        if self._service is None:
            self._service = getattr(self.holder, '_proxy_session', None) or \
                service_session(self.conf)
            if self.holder is not None:
                self.holder._proxy_session = self._service
        return self._service

    def endpoint(self):
        su = self.conf.service_user
        return (getattr(su, self.override) or self.cls(
            self.service, interface=su.interface, region_name=su.region_name).endpoint()
        ).rstrip('/')

    def _client(self):
        url = self.endpoint()
        token = getattr(self.ctx, 'auth_token', None)
        if not token:
            raise BackendError(401, 'The request carries no token to call the %s service '
                                    'with.' % self.cls.SERVICE_TYPE)
        session, headers = user_session(url, token, self.service)
        return self.cls(session, endpoint_override=url), headers

    def request(self, method, path, body=None, params=None, headers=None):
        """The JSON answer ({} when empty); BackendError for an HTTP error (503 when the
        service cannot be found or called at all)."""
        try:
            client, sent = self._client()
        except client_mod.ClientError as exc:
            raise BackendError(503, 'Cannot call the %s service: %s'
                               % (self.cls.SERVICE_TYPE, exc.message)) from None
        sent.update(headers or {})
        try:
            resp = client.request(method, path, json_body=body, headers=sent, params=params)
        except client_mod.ClientError as exc:
            raise BackendError(exc.status or 500, exc.message) from None
        if resp.status_code == 204 or not resp.content:
            return {}
        return resp.json()


class VolumeProxy:
    """A VolumeClient with ProxyClient's interface (errors as BackendError; VolumeError
    is one)."""

    def __init__(self, volumes):
        self.volumes = volumes

    def request(self, method, path, body=None, params=None, headers=None):
        if params:
            path += '?' + urllib.parse.urlencode(params, doseq=True)
        try:
            return self.volumes.request(method, path, body)
        except VolumeNotFound:
            raise BackendError(404, 'Not found: %s' % path.split('?')[0]) from None


class ServiceClients:
    """``image_api`` and ``network_api`` of an object with ``conf``, made on first use (so
    a daemon needs no identity at start-up); tests set ``_image_api``/``_network_api``.
    ``volume_api(ctx)`` is block storage for one request (tests set ``_volume_api``, whose
    ``bind(ctx)`` gives the client of a request)."""

    _image_api = None
    _network_api = None
    _volume_api = None

    _proxy_api = None
    _proxy_session = None

    def proxy_api(self, ctx, service):
        """ProxyClient of ``service`` for one request (tests set ``_proxy_api``, whose
        ``bind(ctx, service)`` gives it)."""
        if self._proxy_api is not None:
            return self._proxy_api.bind(ctx, service)
        if service == 'volume':
            return VolumeProxy(self.volume_api(ctx))
        return ProxyClient(self.conf, ctx, service, holder=self)

    def volume_api(self, ctx):
        if self._volume_api is not None:
            return self._volume_api.bind(ctx)
        return VolumeClient(self.conf, ctx)

    @property
    def image_api(self):
        if self._image_api is None:
            self._image_api = ImageClient(self.conf)
        return self._image_api

    @property
    def network_api(self):
        if self._network_api is None:
            self._network_api = NetworkClient(self.conf)
        return self._network_api
