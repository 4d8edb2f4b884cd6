"""The block storage API WSGI app: Cinder's v3 routes (``/v3/{project_id}/...``) with
microversions (3.0 .. 3.71) and version discovery before auth."""
import copy

from blockstore.api import attachments
from blockstore.api import backups
from blockstore.api import base
from blockstore.api import groups
from blockstore.api import misc
from blockstore.api import qos
from blockstore.api import snapshots
from blockstore.api import transfers
from blockstore.api import types
from blockstore.api import volumes
from blockstore.state import BlockstoreState
from common import config
from common.wsgi import endpoint
from common.wsgi import microversion
from common.wsgi import router as router_mod
from common.wsgi import versions

P = '/v3/{project_id}'
UPDATED = '2023-03-01T00:00:00Z'


def build(state):
    r = router_mod.Router()

    def crud(path, ctrl, create=True, update=True, delete=True):
        r.add(P + path, ctrl, dict({'GET': 'index'}, **({'POST': 'create'} if create else {})))
        r.add(P + path + '/detail', ctrl, {'GET': 'detail'})
        member = {'GET': 'show'}
        if delete:
            member['DELETE'] = 'delete'
        if update:
            member['PUT'] = 'update'
        r.add(P + path + '/{id}', ctrl, member)
        r.add(P + path + '/{id}/action', ctrl, {'POST': 'action'})

    vols = volumes.Volumes(state)
    r.add(P + '/volumes/summary', vols, {'GET': 'summary'})
    crud('/volumes', vols)
    r.add(P + '/volumes/{id}/metadata', vols, {'GET': 'metadata_index', 'POST':
                                              'metadata_create', 'PUT': 'metadata_replace'})
    r.add(P + '/volumes/{id}/metadata/{key}', vols, {
        'GET': 'metadata_show', 'PUT': 'metadata_update', 'DELETE': 'metadata_delete'})
    snaps = snapshots.Snapshots(state)
    crud('/snapshots', snaps)
    r.add(P + '/snapshots/{id}/metadata', snaps, {
        'GET': 'metadata_index', 'POST': 'metadata_create', 'PUT': 'metadata_replace'})
    r.add(P + '/snapshots/{id}/metadata/{key}', snaps, {
        'GET': 'metadata_show', 'PUT': 'metadata_update', 'DELETE': 'metadata_delete'})
    r.add(P + '/extensions', misc.Extensions(state), {'GET': 'index'})
    vtypes = types.Types(state)
    r.add(P + '/types', vtypes, {'GET': 'index', 'POST': 'create'})
    r.add(P + '/types/{id}', vtypes, {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})
    r.add(P + '/types/{id}/action', vtypes, {'POST': 'action'})
    r.add(P + '/types/{id}/extra_specs', vtypes, {'GET': 'specs_index', 'POST': 'specs_create'})
    r.add(P + '/types/{id}/extra_specs/{key}', vtypes, {
        'GET': 'specs_show', 'PUT': 'specs_update', 'DELETE': 'specs_delete'})
    r.add(P + '/types/{id}/os-volume-type-access', vtypes, {'GET': 'access_index'})
    crud('/attachments', attachments.Attachments(state))
    bak = backups.Backups(state)
    crud('/backups', bak, update=False)
    r.add(P + '/backups/{id}/restore', bak, {'POST': 'restore'})
    specs = qos.QosSpecs(state)
    r.add(P + '/qos-specs', specs, {'GET': 'index', 'POST': 'create'})
    r.add(P + '/qos-specs/{id}', specs, {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})
    r.add(P + '/qos-specs/{id}/delete_keys', specs, {'PUT': 'delete_keys'})
    for name in ('associations', 'associate', 'disassociate', 'disassociate_all'):
        r.add(P + '/qos-specs/{id}/' + name, specs, {'GET': name})
    for path, minimum in (('/os-volume-transfer', None), ('/volume-transfers', (3, 55))):
        ctrl = transfers.Transfers(state, path[1:], minimum)
        r.add(P + path, ctrl, {'GET': 'index', 'POST': 'create'})
        r.add(P + path + '/detail', ctrl, {'GET': 'detail'})
        r.add(P + path + '/{id}', ctrl, {'GET': 'show', 'DELETE': 'delete'})
        r.add(P + path + '/{id}/accept', ctrl, {'POST': 'accept'})
    gtypes = groups.GroupTypes(state)
    r.add(P + '/group_types', gtypes, {'GET': 'index', 'POST': 'create'})
    r.add(P + '/group_types/{id}', gtypes, {'GET': 'show', 'PUT': 'update',
                                            'DELETE': 'delete'})
    r.add(P + '/group_types/{id}/group_specs', gtypes, {'GET': 'specs_index',
                                                        'POST': 'specs_create'})
    r.add(P + '/group_types/{id}/group_specs/{key}', gtypes, {
        'GET': 'specs_show', 'PUT': 'specs_update', 'DELETE': 'specs_delete'})
    grps = groups.Groups(state)
    # a group is deleted with its "delete" action (delete-volumes), as in Cinder
    r.add(P + '/groups/action', grps, {'POST': 'create_from_src'})
    crud('/groups', grps, delete=False)
    crud('/group_snapshots', groups.GroupSnapshots(state), update=False)
    quotas = misc.Quotas(state)
    r.add(P + '/os-quota-sets/{target}', quotas, {'GET': 'show', 'PUT': 'update',
                                                  'DELETE': 'delete'})
    r.add(P + '/os-quota-sets/{target}/defaults', quotas, {'GET': 'defaults'})
    r.add(P + '/limits', misc.Limits(state), {'GET': 'index'})
    r.add(P + '/os-services', misc.Services(state), {'GET': 'index'})
    hosts = misc.Hosts(state)
    r.add(P + '/os-hosts', hosts, {'GET': 'index'})
    r.add(P + '/os-hosts/{host}', hosts, {'GET': 'show'})
    r.add(P + '/os-availability-zone', misc.Zones(state), {'GET': 'index'})
    r.add(P + '/scheduler-stats/get_pools', misc.Pools(state), {'GET': 'index'})
    return microversion.Middleware(r.finalize(), base.SPEC)


def app_factory(global_conf, **local_conf):
    return build(BlockstoreState.get(config.from_paste(global_conf)))


# version discovery ------------------------------------------------------------------------

def version_v3(conf, req):
    return {'id': 'v3.0', 'status': 'CURRENT', 'version': str(base.SPEC.max),
            'min_version': str(base.SPEC.min), 'updated': UPDATED,
            'links': [{'rel': 'describedby', 'type': 'text/html',
                       'href': 'https://docs.openstack.org/'},
                      {'rel': 'self', 'href': endpoint.public_url(conf, req) + '/v3/'}],
            'media-types': [{'base': 'application/json',
                             'type': 'application/vnd.openstack.volume+json;version=3'}]}


class Versions:
    def __init__(self, conf):
        self.conf = conf

    def index(self, req):
        from common.wsgi import response
        return response.json_response({'versions': [version_v3(self.conf, req)]},
                                      status=300)

    def v3(self, req):
        return {'versions': [copy.deepcopy(version_v3(self.conf, req))]}


def _versions_app(conf):
    r = router_mod.Router()
    ctrl = Versions(conf)
    r.add('/', ctrl, {'GET': 'index'})
    r.add('/v3', ctrl, {'GET': 'v3'})
    r.add('/v3/', ctrl, {'GET': 'v3'})
    return r.finalize()


versions_filter_factory = versions.filter_factory(_versions_app, paths=('/', '/v3', '/v3/'))
