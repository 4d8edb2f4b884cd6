"""``/v3/projects/{id}/tags[/{tag}]``: a project's tags, one by one or all at once."""
import urllib.parse

from common import exceptions
from common.wsgi import response
from identity.api import base

_TAGS_BODY = {'type': 'object', 'required': ['tags'], 'additionalProperties': False,
              'properties': {'tags': {'type': 'array', 'maxItems': 80,
                                      'items': {'type': 'string'}}}}


class ProjectTagController(base.Controller):
    def _authorizer(self, req, rule):
        return lambda columns: self.enforce(req, rule, {'project': columns})

    def index(self, req, project_id):
        tags = self.store.project_tags(project_id,
                                       self._authorizer(req, 'identity:list_project_tags'))
        return {'tags': tags, 'links': {'self': self.base_url(req) + req.path}}

    def replace(self, req, project_id):
        tags = self.body(req, _TAGS_BODY)['tags']
        tags = self.store.replace_project_tags(
            project_id, tags, self._authorizer(req, 'identity:update_project_tags'))
        return {'tags': tags, 'links': {'self': self.base_url(req) + req.path}}

    def delete_all(self, req, project_id):
        self.store.replace_project_tags(project_id, [],
                                        self._authorizer(req, 'identity:delete_project_tags'))

    def check(self, req, project_id, tag):
        """GET/HEAD: 204 when the project has the tag, 404 otherwise."""
        tags = self.store.project_tags(project_id,
                                       self._authorizer(req, 'identity:get_project_tag'))
        if tag not in tags:
            raise exceptions.NotFound('Project %s has no tag %s.' % (project_id, tag))

    def add(self, req, project_id, tag):
        self.store.add_project_tag(project_id, tag,
                                   self._authorizer(req, 'identity:create_project_tag'))
        location = '%s/v3/projects/%s/tags/%s' % (self.base_url(req), project_id,
                                                  urllib.parse.quote(tag, safe=''))
        return response.json_response(None, status=201, headers={'Location': location})

    def delete(self, req, project_id, tag):
        self.store.remove_project_tag(project_id, tag,
                                      self._authorizer(req, 'identity:delete_project_tag'))
