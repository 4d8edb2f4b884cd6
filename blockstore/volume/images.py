"""The image API for block storage: image data for volumes created from images (as the
service user), and images made from volumes (created as the user, uploaded as the service
user)."""
from blockstore.drivers import base
from common import client


class ImageSource:
    """``meta(image_id)`` -> ImageMeta dict; ``fetch(image_id)`` yields the image's bytes."""

    def __init__(self, conf, group='service_user'):
        self.conf = conf
        self.group = group
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = client.ImageClient.from_conf(self.conf, self.group)
        return self._client

    def meta(self, image_id):
        image = self.client.get('/v2/images/%s' % image_id).json()
        if image.get('status') != 'active':
            raise base.ImageUnacceptable('image %s is not active' % image_id)
        return {'id': image['id'], 'disk_format': image.get('disk_format') or 'raw',
                'size': image.get('size'), 'checksum': image.get('checksum'),
                'os_hash_algo': image.get('os_hash_algo'),
                'os_hash_value': image.get('os_hash_value'),
                'min_disk': image.get('min_disk') or 0}

    def show_as(self, ctx, image_id):
        """The image as the caller sees it (their token), or None when they cannot: a volume
        is made only from an image its owner may read, though the data is then fetched as
        the service user."""
        endpoint = self.client.endpoint()
        as_user = client.ImageClient(client.token_session(endpoint, ctx.auth_token),
                                     endpoint_override=endpoint)
        resp = as_user.get('/v2/images/%s' % image_id, raise_exc=False)
        if resp.status_code in (400, 403, 404):
            return None
        resp.raise_for_status()
        return resp.json()

    def fetch(self, image_id):
        resp = self.client.get('/v2/images/%s/file' % image_id, stream=True)
        try:
            yield from resp.iter_content(1024 * 1024)
        finally:
            resp.close()

    def create(self, ctx, body):
        """A new image (queued) owned by the caller: made with the caller's token."""
        endpoint = self.client.endpoint()
        as_user = client.ImageClient(client.token_session(endpoint, ctx.auth_token),
                                     endpoint_override=endpoint)
        return as_user.post('/v2/images', body).json()

    def upload(self, image_id, data):
        """Stream ``data`` (a VolumeImageData) as the image's file."""
        self.client.put('/v2/images/%s/file' % image_id,
                        headers={'Content-Type': 'application/octet-stream'},
                        data=data.chunks())

    def delete(self, image_id):
        self.client.delete('/v2/images/%s' % image_id, raise_exc=False)
