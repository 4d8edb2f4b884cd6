"""WSGI application factories of the image API (see etc/image/api-paste.ini)."""
from common import config
from common.wsgi import router as router_mod
from common.wsgi import versions
from image.api import data
from image.api import discovery
from image.api import images
from image.api import imports
from image.api import members
from image.api import metadefs
from image.api import tags
from image.api import tasks
from image.state import ImageState


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
    r.add('/v2/stores/{store_id}/{image_id}', data.StoresController(engine),
          {'DELETE': 'delete_copy'})
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
    tsk = tasks.TasksController(engine)
    r.add('/v2/tasks', tsk, {'GET': 'index', 'POST': 'create'})
    r.add('/v2/tasks/{task_id}', tsk, {'GET': 'show'})
    r.add('/v2/images/{image_id}/tasks', tsk, {'GET': 'image_tasks'})
    sch = discovery.SchemasController()
    for name in ('image', 'images', 'member', 'members', 'task', 'tasks'):
        r.add('/v2/schemas/%s' % name, sch, {'GET': name})
    r.add('/v2/schemas/metadefs/{document}', sch, {'GET': 'metadef'})
    add_metadef_routes(r, engine)
    return r.finalize()


def add_metadef_routes(r, engine):
    base = '/v2/metadefs/namespaces'
    nss = metadefs.NamespacesController(engine)
    r.add(base, nss, {'GET': 'index', 'POST': 'create'})
    r.add(base + '/{namespace}', nss, {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})
    objs = metadefs.ObjectsController(engine)
    r.add(base + '/{namespace}/objects', objs,
          {'GET': 'index', 'POST': 'create', 'DELETE': 'delete_all'})
    r.add(base + '/{namespace}/objects/{name}', objs,
          {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})
    props = metadefs.PropertiesController(engine)
    r.add(base + '/{namespace}/properties', props,
          {'GET': 'index', 'POST': 'create', 'DELETE': 'delete_all'})
    r.add(base + '/{namespace}/properties/{name}', props,
          {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})
    tags = metadefs.TagsController(engine)
    r.add(base + '/{namespace}/tags', tags,
          {'GET': 'index', 'POST': 'create_many', 'DELETE': 'delete_all'})
    r.add(base + '/{namespace}/tags/{name}', tags,
          {'GET': 'show', 'POST': 'create', 'PUT': 'update', 'DELETE': 'delete'})
    rts = metadefs.ResourceTypesController(engine)
    r.add('/v2/metadefs/resource_types', rts, {'GET': 'index'})
    r.add(base + '/{namespace}/resource_types', rts, {'GET': 'associations', 'POST': 'associate'})
    r.add(base + '/{namespace}/resource_types/{resource_type}', rts, {'DELETE': 'dissociate'})


def app_factory(global_conf, **local_conf):
    """The authenticated API v2 app."""
    return build_router(ImageState.get(config.from_paste(global_conf)).engine)


def _versions_app(conf):
    r = router_mod.Router()
    versions_app = discovery.VersionsApp(conf)
    r.add('/', versions_app, {'GET': 'root'})
    r.add('/versions', versions_app, {'GET': 'versions'})
    return r.finalize()


# Version discovery (``/``, ``/versions``) answers before auth: clients discover the API
# before they have a token.
versions_filter_factory = versions.filter_factory(_versions_app, paths=('/', '/versions'),
                                                  strip_slash=True)
