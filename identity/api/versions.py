"""Version discovery documents (``/`` and ``/v3``)."""
from common.wsgi import endpoint
from common.wsgi import response

VERSION = {'id': 'v3.14', 'status': 'stable', 'updated': '2020-04-07T00:00:00Z',
           'media-types': [{'base': 'application/json',
                            'type': 'application/vnd.openstack.identity-v3+json'}]}


class VersionsController:
    def __init__(self, conf):
        self.conf = conf

    def _v3(self, req):
        base = endpoint.public_url(self.conf, req)
        return dict(VERSION, links=[{'rel': 'self', 'href': base + '/v3/'}])

    def index(self, req):
        return response.json_response({'versions': {'values': [self._v3(req)]}}, status=300)

    def v3(self, req):
        return {'version': self._v3(req)}
