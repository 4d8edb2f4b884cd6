"""Metadata definitions (/v2/metadefs): namespaces and the objects, properties, tags and
resource type associations they hold, as Glance's catalog API serves them."""
import re
import urllib.parse

from common import exceptions
from common import validation
from common.wsgi import listing
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from image.api import metadef_schemas as schemas
from image.api import views
from image.db import metadefs as metadef_db

_NS_FIELDS = ('namespace', 'display_name', 'description', 'visibility', 'protected', 'owner')


def _quote(name):
    return urllib.parse.quote(name, safe='')


def _times(doc, item):
    for key in ('created_at', 'updated_at'):
        if item.get(key) is not None:
            doc[key] = views.timestamp(item[key])
    return doc


def _compact(doc):
    return {k: v for k, v in doc.items() if v is not None}


def association_doc(item):
    return _times(_compact({'name': item['name'], 'prefix': item.get('prefix'),
                            'properties_target': item.get('properties_target')}), item)


def object_doc(namespace, item):
    doc = _compact({'name': item['name'], 'description': item.get('description')})
    if item.get('required'):
        doc['required'] = item['required']
    doc['properties'] = item.get('properties') or {}
    doc['self'] = '/v2/metadefs/namespaces/%s/objects/%s' % (_quote(namespace),
                                                             _quote(item['name']))
    doc['schema'] = '/v2/schemas/metadefs/object'
    return _times(doc, item)


def tag_doc(item):
    return _times({'name': item['name']}, item)


def property_doc(item):
    return {k: v for k, v in item.items() if k not in ('created_at', 'updated_at')}


def _prefix_for(ns, resource_type):
    """The property prefix of the namespace's association with ``resource_type``."""
    for assoc in ns.get('resource_type_associations') or ():
        if assoc['name'] == resource_type:
            return assoc.get('prefix') or ''
    return ''


def namespace_doc(ns, resource_type=None):
    doc = _compact({k: ns.get(k) for k in _NS_FIELDS})
    doc['protected'] = bool(ns['protected'])
    _times(doc, ns)
    doc['self'] = '/v2/metadefs/namespaces/%s' % _quote(ns['namespace'])
    doc['schema'] = '/v2/schemas/metadefs/namespace'
    if ns.get('resource_type_associations'):
        doc['resource_type_associations'] = [association_doc(a)
                                             for a in ns['resource_type_associations']]
    if ns.get('properties'):
        prefix = _prefix_for(ns, resource_type) if resource_type else ''
        doc['properties'] = {prefix + name: property_doc(p)
                             for name, p in ns['properties'].items()}
    if ns.get('objects'):
        doc['objects'] = [object_doc(ns['namespace'], o) for o in ns['objects']]
    if ns.get('tags'):
        doc['tags'] = [tag_doc(t) for t in ns['tags']]
    return doc


def _check_property(name, definition):
    """Semantic checks a JSON schema cannot make: a valid pattern, sane bounds."""
    pattern = definition.get('pattern')
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise exceptions.BadRequest("Property %s: 'pattern' is not a valid regular "
                                        "expression: %s." % (name, exc))
    for low, high in (('minimum', 'maximum'), ('minLength', 'maxLength'),
                      ('minItems', 'maxItems')):
        if low in definition and high in definition and definition[low] > definition[high]:
            raise exceptions.BadRequest('Property %s: %s is greater than %s.'
                                        % (name, low, high))


def _check_object(item):
    for name, definition in (item.get('properties') or {}).items():
        _check_property(name, definition)
    missing = sorted(set(item.get('required') or ()) - set(item.get('properties') or {}))
    if missing:
        raise exceptions.BadRequest('Object %s requires properties it does not define: %s.'
                                    % (item['name'], ', '.join(missing)))


def _strip_read_only(body):
    return {k: v for k, v in body.items()
            if k not in ('created_at', 'updated_at', 'schema', 'self')}


class _Base:
    def __init__(self, engine):
        self.engine = engine

    @property
    def db(self):
        return self.engine.db

    def checker(self, ctx, rule):
        """A ``check(namespace)`` authorizing ``rule`` against the namespace."""
        def check(ns):
            self.engine.authorize(ctx, rule, owner=ns['owner'], visibility=ns['visibility'])
        return check


class NamespacesController(_Base):
    def index(self, req):
        ctx = middleware.get_context(req)
        self.engine.authorize(ctx, 'get_metadef_namespaces', owner=ctx.project_id)
        conf = self.engine.conf
        filters = {}
        visibility = listing.single(req, 'visibility')
        if visibility is not None:
            if visibility not in schemas.VISIBILITIES:
                raise exceptions.BadRequest('Invalid visibility value: %s (known: %s).'
                                            % (visibility, ', '.join(schemas.VISIBILITIES)))
            filters['visibility'] = [visibility]
        types = listing.single(req, 'resource_types')
        if types is not None:
            names = [t.strip() for t in types.split(',') if t.strip()]
            if names:
                filters['resource_types'] = names
        sorts = listing.sort_spec(req, metadef_db.SORT_KEYS)
        limit = listing.page_limit(req, conf.limit_param_default, conf.api_limit_max)
        found = metadef_db.list_namespaces(self.db, ctx, filters, sorts, limit,
                                           req.GET.get('marker')) if limit else []
        body = {'namespaces': [namespace_doc(ns) for ns in found],
                'schema': '/v2/schemas/metadefs/namespaces'}
        body.update(listing.first_next_links(req, '/v2/metadefs/namespaces',
                                             found[-1]['namespace'] if found else None,
                                             limit and len(found) == limit))
        return body

    def create(self, req):
        ctx = middleware.get_context(req)
        body = _strip_read_only(validation.validate(schemas.NAMESPACE,
                                                    wsgi_response.json_body(req)))
        owner = body.get('owner') or ctx.project_id
        self.engine.authorize(ctx, 'add_metadef_namespace', owner=owner,
                              visibility=body.get('visibility', 'private'))
        for name, definition in (body.get('properties') or {}).items():
            _check_property(name, definition)
        for item in body.get('objects') or ():
            _check_object(item)
        values = {'namespace': body['namespace'], 'display_name': body.get('display_name'),
                  'description': body.get('description'),
                  'visibility': body.get('visibility', 'private'),
                  'protected': body.get('protected', False), 'owner': owner}
        ns = metadef_db.create_namespace(
            self.db, values, body.get('resource_type_associations') or (),
            body.get('properties'), body.get('objects') or (), body.get('tags') or ())
        return wsgi_response.json_response(namespace_doc(ns), status=201)

    def show(self, req, namespace):
        ctx = middleware.get_context(req)
        ns = metadef_db.get_namespace(self.db, ctx, namespace)
        self.checker(ctx, 'get_metadef_namespace')(ns)
        return namespace_doc(ns, listing.single(req, 'resource_type'))

    def update(self, req, namespace):
        ctx = middleware.get_context(req)
        body = _strip_read_only(validation.validate(schemas.NAMESPACE,
                                                    wsgi_response.json_body(req)))
        for key in ('resource_type_associations', 'properties', 'objects', 'tags'):
            if key in body:
                raise exceptions.BadRequest('%s cannot be changed with a namespace update; '
                                            'use /v2/metadefs/namespaces/%s/%s.'
                                            % (key, namespace, key))
        values = {k: body[k] for k in _NS_FIELDS if k in body}
        check = self.checker(ctx, 'modify_metadef_namespace')

        def check_both(ns):
            check(ns)
            if 'owner' in values or 'visibility' in values:
                # The namespace as it would be after the change must be allowed too.
                self.engine.authorize(ctx, 'modify_metadef_namespace',
                                      owner=values.get('owner', ns['owner']),
                                      visibility=values.get('visibility', ns['visibility']))
        ns = metadef_db.update_namespace(self.db, ctx, namespace, values, check_both)
        return namespace_doc(ns)

    def delete(self, req, namespace):
        ctx = middleware.get_context(req)
        metadef_db.delete_namespace(self.db, ctx, namespace,
                                    self.checker(ctx, 'delete_metadef_namespace'))
        return None


class _ChildController(_Base):
    """Objects, properties and tags of a namespace: the same calls on different kinds."""

    kind = None
    rules = {}

    def _list(self, req, namespace):
        ctx = middleware.get_context(req)
        ns, items = metadef_db.list_children(self.db, ctx, namespace, self.kind)
        self.checker(ctx, self.rules['list'])(ns)
        return items

    def _show(self, req, namespace, name):
        ctx = middleware.get_context(req)
        ns, item = metadef_db.get_child(self.db, ctx, namespace, self.kind, name)
        self.checker(ctx, self.rules['get'])(ns)
        return item

    def _add(self, req, namespace, items, rule, replace=False):
        ctx = middleware.get_context(req)
        return metadef_db.add_children(self.db, ctx, namespace, self.kind, items,
                                       self.checker(ctx, rule), replace=replace)

    def _update(self, req, namespace, name, item):
        ctx = middleware.get_context(req)
        return metadef_db.update_child(self.db, ctx, namespace, self.kind, name, item,
                                       self.checker(ctx, self.rules['modify']))

    def delete(self, req, namespace, name):
        ctx = middleware.get_context(req)
        metadef_db.delete_child(self.db, ctx, namespace, self.kind, name,
                                self.checker(ctx, self.rules['delete']))
        return None

    def delete_all(self, req, namespace):
        ctx = middleware.get_context(req)
        metadef_db.delete_children(self.db, ctx, namespace, self.kind,
                                   self.checker(ctx, self.rules['delete_all']))
        return None


class ObjectsController(_ChildController):
    kind = 'objects'
    rules = {'list': 'get_metadef_objects', 'get': 'get_metadef_object',
             'add': 'add_metadef_object', 'modify': 'modify_metadef_object',
             'delete': 'delete_metadef_object', 'delete_all': 'delete_metadef_namespace'}

    def _body(self, req):
        body = _strip_read_only(validation.validate(schemas.OBJECT,
                                                    wsgi_response.json_body(req)))
        _check_object(body)
        return body

    def index(self, req, namespace):
        return {'objects': [object_doc(namespace, o) for o in self._list(req, namespace)],
                'schema': '/v2/schemas/metadefs/objects'}

    def show(self, req, namespace, name):
        return object_doc(namespace, self._show(req, namespace, name))

    def create(self, req, namespace):
        item = self._add(req, namespace, [self._body(req)], self.rules['add'])[0]
        return wsgi_response.json_response(object_doc(namespace, item), status=201)

    def update(self, req, namespace, name):
        return object_doc(namespace, self._update(req, namespace, name, self._body(req)))


class PropertiesController(_ChildController):
    kind = 'properties'
    rules = {'list': 'get_metadef_properties', 'get': 'get_metadef_property',
             'add': 'add_metadef_property', 'modify': 'modify_metadef_property',
             'delete': 'remove_metadef_property', 'delete_all': 'delete_metadef_namespace'}

    def _body(self, req):
        body = validation.validate(schemas.PROPERTY, wsgi_response.json_body(req))
        _check_property(body['name'], body)
        return body

    def index(self, req, namespace):
        return {'properties': {p['name']: {k: v for k, v in p.items() if k != 'name'}
                               for p in self._list(req, namespace)},
                'schema': '/v2/schemas/metadefs/properties'}

    def show(self, req, namespace, name):
        resource_type = listing.single(req, 'resource_type')
        if resource_type:
            # The name as the resource type sees it: with the association's prefix.
            ctx = middleware.get_context(req)
            prefix = _prefix_for({'resource_type_associations': metadef_db.associations(
                self.db, ctx, namespace)[1]}, resource_type)
            if prefix and not name.startswith(prefix):
                raise exceptions.NotFound('Property %s does not carry the prefix %s of '
                                          'resource type %s.' % (name, prefix, resource_type))
            name = name[len(prefix):]
        return property_doc(self._show(req, namespace, name))

    def create(self, req, namespace):
        item = self._add(req, namespace, [self._body(req)], self.rules['add'])[0]
        return wsgi_response.json_response(property_doc(item), status=201)

    def update(self, req, namespace, name):
        return property_doc(self._update(req, namespace, name, self._body(req)))


class TagsController(_ChildController):
    kind = 'tags'
    rules = {'list': 'get_metadef_tags', 'get': 'get_metadef_tag', 'add': 'add_metadef_tag',
             'modify': 'modify_metadef_tag', 'delete': 'delete_metadef_tag',
             'delete_all': 'delete_metadef_tags'}

    def index(self, req, namespace):
        return {'tags': [tag_doc(t) for t in self._list(req, namespace)]}

    def create_many(self, req, namespace):
        """POST /tags: these tags replace the namespace's (added to them with
        ``X-Openstack-Append: true``)."""
        body = validation.validate(schemas.TAGS, wsgi_response.json_body(req))
        append = req.headers.get('X-Openstack-Append', 'false').strip().lower()
        if append not in ('true', 'false'):
            raise exceptions.BadRequest('X-Openstack-Append must be true or false.')
        items = [{'name': t['name']} for t in body['tags']]
        made = self._add(req, namespace, items, 'add_metadef_tags',
                         replace=append == 'false')
        return wsgi_response.json_response({'tags': [tag_doc(t) for t in made]}, status=201)

    def show(self, req, namespace, name):
        return tag_doc(self._show(req, namespace, name))

    def create(self, req, namespace, name):
        validation.validate(schemas.TAG, {'name': name})
        item = self._add(req, namespace, [{'name': name}], self.rules['add'])[0]
        return wsgi_response.json_response(tag_doc(item), status=201)

    def update(self, req, namespace, name):
        body = validation.validate(schemas.TAG_UPDATE, wsgi_response.json_body(req))
        return tag_doc(self._update(req, namespace, name, {'name': body['name']}))


class ResourceTypesController(_Base):
    def index(self, req):
        ctx = middleware.get_context(req)
        self.engine.authorize(ctx, 'list_metadef_resource_types', owner=ctx.project_id)
        return {'resource_types': [tag_doc(t) for t in metadef_db.resource_types(self.db)]}

    def associations(self, req, namespace):
        ctx = middleware.get_context(req)
        ns, found = metadef_db.associations(self.db, ctx, namespace)
        self.checker(ctx, 'get_metadef_resource_type')(ns)
        return {'resource_type_associations': [association_doc(a) for a in found]}

    def associate(self, req, namespace):
        ctx = middleware.get_context(req)
        body = validation.validate(schemas.RESOURCE_TYPE_ASSOCIATION,
                                   wsgi_response.json_body(req))
        item = metadef_db.associate(self.db, ctx, namespace, _strip_read_only(body),
                                    self.checker(ctx, 'add_metadef_resource_type_association'))
        return wsgi_response.json_response(association_doc(item), status=201)

    def dissociate(self, req, namespace, resource_type):
        ctx = middleware.get_context(req)
        metadef_db.dissociate(self.db, ctx, namespace, resource_type,
                              self.checker(ctx, 'remove_metadef_resource_type_association'))
        return None
