"""Step 9: the paste factories: the routes, and version discovery before auth."""
from common import config
from common.testing.toy.api import widgets
from common.testing.toy.state import ToyState
from common.wsgi import router as router_mod
from common.wsgi import versions


def app_factory(global_conf, **local_conf):
    state = ToyState.get(config.from_paste(global_conf))
    r = router_mod.Router()
    r.add('/v1/widgets', widgets.WidgetsController(state), {'GET': 'index', 'POST': 'create'})
    return r.finalize()


class Versions:
    def index(self, req):
        return {'versions': [{'id': 'v1.0', 'status': 'CURRENT'}]}


def _versions_app(conf):
    r = router_mod.Router()
    r.add('/', Versions(), {'GET': 'index'})
    return r.finalize()


versions_filter_factory = versions.filter_factory(_versions_app, paths=('/',))
