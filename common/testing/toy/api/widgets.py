"""Step 8: a controller: validate, authorize, call the db api, render."""
from common import validation
from common.testing.toy.db import api as db_api
from common.wsgi import listing
from common.wsgi import middleware
from common.wsgi import response

CREATE = {'type': 'object', 'additionalProperties': False, 'required': ['widget'],
          'properties': {'widget': {
              'type': 'object', 'additionalProperties': False, 'required': ['name'],
              'properties': {'name': {'type': 'string', 'format': 'name'},
                             'size': {'type': 'integer', 'minimum': 0}}}}}


class WidgetsController:
    def __init__(self, state):
        self.state = state

    def index(self, req):
        ctx = middleware.get_context(req)
        self.state.enforcer.authorize('toy:get_widgets', {'project_id': ctx.project_id}, ctx)
        lr = listing.parse(req, self.state.conf.toy.pagination_max_limit)
        rows = db_api.list_widgets(self.state.db, ctx.project_id, lr.filters, lr.sorts,
                                   lr.limit, lr.marker, lr.page_reverse)
        return listing.body(self.state.conf, req, 'widgets', rows, lr)

    def create(self, req):
        ctx = middleware.get_context(req)
        self.state.enforcer.authorize('toy:create_widget', {'project_id': ctx.project_id},
                                      ctx)
        body = response.json_body(req)
        validation.validate(CREATE, body)
        item = body['widget']
        widget = db_api.create_widget(self.state.db, ctx.project_id, item['name'],
                                      item.get('size', 0))
        return response.json_response({'widget': widget}, status=201)
