"""Queries of the metadata definitions catalog (metadefs), one transaction per call.

A namespace is visible to everyone when public, else to its owner and admins; what it
holds (objects, properties, tags, resource type associations) shares its visibility.
Writes take a ``check(namespace)`` function, called inside the transaction with the
namespace as a dict, where the API layer keeps its policy decisions.
"""
import sqlalchemy as sa

from common import exceptions
from common.db import query as db_query
from common.db import types
from image.db import models

NS = models.MetadefNamespace
RT = models.MetadefResourceType
ASSOC = models.MetadefNamespaceResourceType
KINDS = {'objects': models.MetadefObject, 'properties': models.MetadefProperty,
         'tags': models.MetadefTag}
_WHAT = {'objects': 'object', 'properties': 'property', 'tags': 'tag'}

NAMESPACE_FIELDS = {
    'namespace': db_query.Field(NS.namespace),
    'display_name': db_query.Field(NS.display_name),
    'created_at': db_query.Field(NS.created_at),
    'updated_at': db_query.Field(NS.updated_at),
    'visibility': db_query.Field(NS.visibility),
    'resource_types': db_query.Field(None, clause=lambda names: sa.select(ASSOC.namespace_id).join(
        RT, RT.id == ASSOC.resource_type_id).where(
        ASSOC.namespace_id == NS.id, RT.name.in_(names)).exists()),
}
SORT_KEYS = ('created_at', 'updated_at', 'namespace', 'display_name')


# dicts ------------------------------------------------------------------------------
def _namespace_dict(row):
    return {'id': row.id, 'namespace': row.namespace, 'display_name': row.display_name,
            'description': row.description, 'visibility': row.visibility,
            'protected': bool(row.protected), 'owner': row.owner,
            'created_at': row.created_at, 'updated_at': row.updated_at}


def _child_dict(kind, row):
    if kind == 'objects':
        return {'name': row.name, 'description': row.description,
                'required': list(row.required or []), 'properties': dict(row.json_schema),
                'created_at': row.created_at, 'updated_at': row.updated_at}
    if kind == 'properties':
        return dict(row.json_schema, name=row.name)
    return {'name': row.name, 'created_at': row.created_at, 'updated_at': row.updated_at}


def _child_values(kind, item):
    """Column values of a child from its API form (``name`` plus its definition)."""
    if kind == 'objects':
        return {'name': item['name'], 'description': item.get('description'),
                'required': list(item.get('required') or []),
                'json_schema': dict(item.get('properties') or {})}
    if kind == 'properties':
        return {'name': item['name'],
                'json_schema': {k: v for k, v in item.items() if k != 'name'}}
    return {'name': item['name']}


def _association_dict(assoc, rtype):
    return {'name': rtype.name, 'prefix': assoc.prefix,
            'properties_target': assoc.properties_target,
            'created_at': assoc.created_at, 'updated_at': assoc.updated_at}


# namespaces -----------------------------------------------------------------------------
def _visible(ctx, row):
    return ctx.is_admin or row.visibility == 'public' or (
        ctx.project_id is not None and row.owner == ctx.project_id)


def _scope(ctx):
    if ctx.is_admin:
        return None
    if ctx.project_id is None:
        return NS.visibility == 'public'
    return sa.or_(NS.visibility == 'public', NS.owner == ctx.project_id)


def _namespace_row(session, ctx, name, for_update=False):
    stmt = sa.select(NS).where(NS.namespace == name)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.execute(stmt).scalar_one_or_none()
    if row is None or not _visible(ctx, row):
        raise exceptions.NotFound('Metadata definition namespace %s was not found.' % name)
    return row


def _associations(session, namespace_id):
    return _associations_of(session, [namespace_id])[namespace_id]


def _associations_of(session, namespace_ids):
    """``{namespace id: [association dicts]}`` of many namespaces in one query."""
    found = {ns_id: [] for ns_id in namespace_ids}
    if not namespace_ids:
        return found
    rows = session.execute(sa.select(ASSOC, RT).join(RT, RT.id == ASSOC.resource_type_id).where(
        ASSOC.namespace_id.in_(namespace_ids)).order_by(RT.name)).all()
    for assoc, rtype in rows:
        found[assoc.namespace_id].append(_association_dict(assoc, rtype))
    return found


def _children(session, kind, namespace_id):
    model = KINDS[kind]
    rows = session.execute(sa.select(model).where(model.namespace_id == namespace_id)
                           .order_by(model.name)).scalars()
    return [_child_dict(kind, row) for row in rows]


def list_namespaces(db, ctx, filters, sorts, limit, marker_name=None):
    """One page of the namespaces the caller may see, each with its associations."""
    def run(session):
        marker = None
        if marker_name:
            marker = session.execute(sa.select(NS).where(
                NS.namespace == marker_name)).scalar_one_or_none()
            if marker is None or not _visible(ctx, marker):
                raise exceptions.BadRequest('Invalid marker. Namespace %s could not be found.'
                                            % marker_name)
        stmt = db_query.build(NS, NAMESPACE_FIELDS, _scope(ctx), filters, sorts, limit, marker)
        rows, _more = db_query.page(session, stmt, limit)
        associations = _associations_of(session, [row.id for row in rows])
        return [dict(_namespace_dict(row), resource_type_associations=associations[row.id])
                for row in rows]
    return db_query.transaction(db, run)


def get_namespace(db, ctx, name):
    """The namespace with all it holds: ``resource_type_associations``, ``properties``
    ({name: definition}), ``objects`` and ``tags``."""
    with db.session() as session:
        row = _namespace_row(session, ctx, name)
        found = _namespace_dict(row)
        found['resource_type_associations'] = _associations(session, row.id)
        found['properties'] = {p.pop('name'): p for p in _children(session, 'properties',
                                                                    row.id)}
        found['objects'] = _children(session, 'objects', row.id)
        found['tags'] = _children(session, 'tags', row.id)
        return found


def _insert_children(session, kind, namespace_id, items, now):
    model = KINDS[kind]
    names = [item['name'] for item in items]
    duplicate = sorted({n for n in names if names.count(n) > 1})
    if duplicate:
        raise exceptions.Conflict('Duplicate %s name(s) in the request: %s.'
                                  % (_WHAT[kind], ', '.join(duplicate)))
    existing = set(session.execute(sa.select(model.name).where(
        model.namespace_id == namespace_id, model.name.in_(names))).scalars()) if names else ()
    if existing:
        raise exceptions.Conflict('A metadata definition %s named %s already exists in this '
                                  'namespace.' % (_WHAT[kind], ', '.join(sorted(existing))))
    rows = []
    for item in items:
        row = model(namespace_id=namespace_id, created_at=now, updated_at=now,
                    **_child_values(kind, item))
        session.add(row)
        rows.append(row)
    session.flush()
    return [_child_dict(kind, row) for row in rows]


def _associate(session, namespace_id, item, now):
    rtype = session.execute(sa.select(RT).where(RT.name == item['name'])).scalar_one_or_none()
    if rtype is None:
        # Associating a namespace with a resource type the catalog does not know yet
        # registers that type (as Glance does).
        rtype = RT(name=item['name'], protected=False, created_at=now, updated_at=now)
        session.add(rtype)
        session.flush()
    elif session.get(ASSOC, (namespace_id, rtype.id)) is not None:
        raise exceptions.Conflict('Resource type %s is already associated with this '
                                  'namespace.' % item['name'])
    assoc = ASSOC(namespace_id=namespace_id, resource_type_id=rtype.id,
                  prefix=item.get('prefix'), properties_target=item.get('properties_target'),
                  created_at=now, updated_at=now)
    session.add(assoc)
    session.flush()
    return _association_dict(assoc, rtype)


def create_namespace(db, values, associations=(), properties=None, objects=(), tags=()):
    """A new namespace (``values``: namespace, display_name, description, visibility,
    protected, owner) with its first contents; 409 if the name is taken."""
    def run(session):
        if session.execute(sa.select(NS.id).where(
                NS.namespace == values['namespace'])).first() is not None:
            raise exceptions.Conflict('A metadata definition namespace named %s already '
                                      'exists.' % values['namespace'])
        now = types.utcnow()
        row = NS(created_at=now, updated_at=now, **values)
        session.add(row)
        session.flush()
        found = _namespace_dict(row)
        found['resource_type_associations'] = [_associate(session, row.id, item, now)
                                               for item in associations]
        props = _insert_children(session, 'properties', row.id,
                                 [dict(d, name=n) for n, d in (properties or {}).items()], now)
        found['properties'] = {p.pop('name'): p for p in props}
        found['objects'] = _insert_children(session, 'objects', row.id, list(objects), now)
        found['tags'] = _insert_children(session, 'tags', row.id, list(tags), now)
        return found
    return db_query.transaction(db, run)


def update_namespace(db, ctx, name, values, check):
    """Set the namespace's fields (a rename included) once ``check(namespace)`` passed."""
    def run(session):
        row = _namespace_row(session, ctx, name, for_update=True)
        check(_namespace_dict(row))
        new_name = values.get('namespace', name)
        if new_name != name and session.execute(sa.select(NS.id).where(
                NS.namespace == new_name)).first() is not None:
            raise exceptions.Conflict('A metadata definition namespace named %s already '
                                      'exists.' % new_name)
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = types.utcnow()
        session.flush()
        return _namespace_dict(row)
    return db_query.transaction(db, run)


def _require_unprotected(row, what):
    if row.protected:
        raise exceptions.Forbidden('Metadata definition namespace %s is protected: its %s '
                                   'cannot be deleted.' % (row.namespace, what))


def delete_namespace(db, ctx, name, check):
    """Delete the namespace and all it holds once ``check(namespace)`` passed; 403 while
    it is protected."""
    with db.session() as session:
        row = _namespace_row(session, ctx, name, for_update=True)
        check(_namespace_dict(row))
        if row.protected:
            raise exceptions.Forbidden('Metadata definition namespace %s is protected and '
                                       'cannot be deleted.' % name)
        for model in list(KINDS.values()) + [ASSOC]:
            session.execute(sa.delete(model).where(model.namespace_id == row.id))
        session.delete(row)


# objects, properties, tags --------------------------------------------------------------
def list_children(db, ctx, namespace, kind):
    """``(namespace, [items])`` of one kind, by name."""
    with db.session() as session:
        row = _namespace_row(session, ctx, namespace)
        return _namespace_dict(row), _children(session, kind, row.id)


def _child_row(session, kind, namespace_row, name, for_update=False):
    model = KINDS[kind]
    stmt = sa.select(model).where(model.namespace_id == namespace_row.id, model.name == name)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.execute(stmt).scalar_one_or_none()
    if row is None:
        raise exceptions.NotFound('Metadata definition %s %s was not found in namespace %s.'
                                  % (_WHAT[kind], name, namespace_row.namespace))
    return row


def get_child(db, ctx, namespace, kind, name):
    """``(namespace, item)``; 404 naming what is missing."""
    with db.session() as session:
        row = _namespace_row(session, ctx, namespace)
        return _namespace_dict(row), _child_dict(kind, _child_row(session, kind, row, name))


def add_children(db, ctx, namespace, kind, items, check, replace=False):
    """Add items (``replace``: instead of the present ones) once ``check(namespace)``
    passed; 409 for a name already there or given twice."""
    def run(session):
        row = _namespace_row(session, ctx, namespace, for_update=True)
        check(_namespace_dict(row))
        if replace:
            model = KINDS[kind]
            session.execute(sa.delete(model).where(model.namespace_id == row.id))
        row.updated_at = types.utcnow()
        return _insert_children(session, kind, row.id, items, types.utcnow())
    return db_query.transaction(db, run)


def update_child(db, ctx, namespace, kind, name, item, check):
    """Replace an item's definition (its name too) once ``check(namespace)`` passed."""
    def run(session):
        row = _namespace_row(session, ctx, namespace, for_update=True)
        check(_namespace_dict(row))
        child = _child_row(session, kind, row, name, for_update=True)
        model = KINDS[kind]
        if item['name'] != name and session.execute(sa.select(model.id).where(
                model.namespace_id == row.id, model.name == item['name'])).first() is not None:
            raise exceptions.Conflict('A metadata definition %s named %s already exists in '
                                      'this namespace.' % (_WHAT[kind], item['name']))
        for key, value in _child_values(kind, item).items():
            setattr(child, key, value)
        child.updated_at = types.utcnow()
        session.flush()
        return _child_dict(kind, child)
    return db_query.transaction(db, run)


def delete_child(db, ctx, namespace, kind, name, check):
    with db.session() as session:
        row = _namespace_row(session, ctx, namespace, for_update=True)
        check(_namespace_dict(row))
        child = _child_row(session, kind, row, name)
        _require_unprotected(row, _WHAT[kind] + ' ' + name)
        session.delete(child)


def delete_children(db, ctx, namespace, kind, check):
    """Delete every item of one kind once ``check(namespace)`` passed."""
    with db.session() as session:
        row = _namespace_row(session, ctx, namespace, for_update=True)
        check(_namespace_dict(row))
        _require_unprotected(row, kind)
        model = KINDS[kind]
        session.execute(sa.delete(model).where(model.namespace_id == row.id))


# resource types ---------------------------------------------------------------------------
def resource_types(db):
    with db.session() as session:
        rows = session.execute(sa.select(RT).order_by(RT.name)).scalars()
        return [{'name': r.name, 'created_at': r.created_at, 'updated_at': r.updated_at}
                for r in rows]


def associations(db, ctx, namespace):
    with db.session() as session:
        row = _namespace_row(session, ctx, namespace)
        return _namespace_dict(row), _associations(session, row.id)


def associate(db, ctx, namespace, item, check):
    """Associate the namespace with a resource type (``name``, ``prefix``,
    ``properties_target``) once ``check(namespace)`` passed; 409 if it already is."""
    def run(session):
        row = _namespace_row(session, ctx, namespace, for_update=True)
        check(_namespace_dict(row))
        return _associate(session, row.id, item, types.utcnow())
    return db_query.transaction(db, run)


def dissociate(db, ctx, namespace, resource_type, check):
    with db.session() as session:
        row = _namespace_row(session, ctx, namespace, for_update=True)
        check(_namespace_dict(row))
        found = session.execute(sa.select(ASSOC).join(RT, RT.id == ASSOC.resource_type_id).where(
            ASSOC.namespace_id == row.id, RT.name == resource_type)).scalar_one_or_none()
        if found is None:
            raise exceptions.NotFound('Resource type %s is not associated with namespace %s.'
                                      % (resource_type, namespace))
        session.delete(found)
