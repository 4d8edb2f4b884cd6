"""WSGI application factories of the image API (see etc/image/api-paste.ini)."""
import logging

from common import config

from common.wsgi import router as router_mod
from image import engine as engine_mod
from image import imports as imports_mod
from image.api import data
from image.api import discovery
from image.api import images
from image.api import imports
from image.api import members
from image.api import tags

LOG = logging.getLogger(__name__)

# One engine per ConfigOpts: the versions app and the API app of one process share it.
_ENGINES = {}


def get_engine(conf):
    engine = _ENGINES.get(id(conf))
    if engine is None or engine.conf is not conf:
        engine = engine_mod.Engine(conf)
        runner = imports_mod.ImportRunner(engine)
        runner.recover()
        _ENGINES[id(conf)] = engine
    return engine


def forget_engine(conf):
    """Drop the engine of ``conf`` (tests build many); return it for disposal."""
    return _ENGINES.pop(id(conf), None)


def build_router(engine):
    r = router_mod.Router()
    imgs = images.ImagesController(engine)
    r.add('/v2/images', imgs, {'GET': 'index', 'POST': 'create'})
    r.add('/v2/images/{image_id}', imgs, {'GET': 'show', 'PATCH': 'update',
                                          'DELETE': 'delete'})
    r.add('/v2/images/{image_id}/actions/deactivate', imgs, {'POST': 'deactivate'})
    r.add('/v2/images/{image_id}/actions/reactivate', imgs, {'POST': 'reactivate'})
    dat = data.DataController(engine)
    r.add('/v2/images/{image_id}/file', dat, {'GET': 'download', 'PUT': 'upload'})
    r.add('/v2/images/{image_id}/stage', dat, {'PUT': 'stage'})
    imp = imports.ImportController(engine)
    r.add('/v2/images/{image_id}/import', imp, {'POST': 'import_image'})
    info = imports.InfoController(engine)
    r.add('/v2/info/import', info, {'GET': 'import_methods'})
    r.add('/v2/info/stores', info, {'GET': 'stores'})
    tag = tags.TagsController(engine)
    r.add('/v2/images/{image_id}/tags/{tag}', tag, {'PUT': 'update', 'DELETE': 'delete'})
    mem = members.MembersController(engine)
    r.add('/v2/images/{image_id}/members', mem, {'GET': 'index', 'POST': 'create'})
    r.add('/v2/images/{image_id}/members/{member_id}', mem,
          {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})
    sch = discovery.SchemasController()
    for name in ('image', 'images', 'member', 'members'):
        r.add('/v2/schemas/%s' % name, sch, {'GET': name})
    return r.finalize()


def app_factory(global_conf, **local_conf):
    """The authenticated API v2 app."""
    return build_router(get_engine(config.from_paste(global_conf)))


class VersionsFilter:
    """Answer version discovery (``/``, ``/versions``) before authentication: clients
    discover the API before they have a token.  Everything else goes on down the pipeline."""

    def __init__(self, app, conf):
        self.app = app
        r = router_mod.Router()
        versions = discovery.VersionsApp(conf)
        r.add('/', versions, {'GET': 'root'})
        r.add('/versions', versions, {'GET': 'versions'})
        self.versions = r.finalize()

    @classmethod
    def factory(cls, global_conf, **local_conf):
        def _filter(app):
            return cls(app, config.from_paste(global_conf))
        return _filter

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '') or '/'
        app = self.versions if path.rstrip('/') in ('', '/versions') else self.app
        return app(environ, start_response)
