"""Identity's database operations behind named functions, one transaction each.

Controllers parse, authorize, call one of these and render: they never open a session.
An operation whose policy target is the stored entity takes ``authorize(target)``: it is
called inside the transaction, after the entity is read and before anything is written, so
what policy saw is what gets changed (Keystone's order: 404 for what does not exist, 403
for what the caller may not touch)."""
import types
import uuid

import sqlalchemy as sa

from common import exceptions
from common.db import query
from identity.core import app_creds
from identity.core import assignment
from identity.core import assignment_list
from identity.core import aws_request_time
from identity.core import catalog
from identity.core import credentials
from identity.core import domain_config
from identity.core import oauth1
from identity.core import resource
from identity.core import revoke
from identity.core import token_provider
from identity.core import users
from identity.db import models

# Attributes never put into a policy target (secrets and their hashes).
SECRET_ATTRS = ('password', 'password_hash', 'blob', 'encrypted_blob', 'key_hash',
                'secret_hash', 'secret', 'encrypted_secret')


def policy_columns(entity):
    """An entity's columns as a policy target sees them (never a secret)."""
    return {c.name: getattr(entity, c.name) for c in entity.__table__.columns
            if c.name not in SECRET_ATTRS}


# Keystone's list filters: ``?attr=value`` and ``?attr__<op>=value``.
_OPERATORS = {
    'contains': lambda col, v: col.contains(v, autoescape=True),
    'icontains': lambda col, v: sa.func.lower(col).contains(v.lower(), autoescape=True),
    'startswith': lambda col, v: col.startswith(v, autoescape=True),
    'istartswith': lambda col, v: sa.func.lower(col).startswith(v.lower(), autoescape=True),
    'endswith': lambda col, v: col.endswith(v, autoescape=True),
    'iendswith': lambda col, v: sa.func.lower(col).endswith(v.lower(), autoescape=True),
    'equals': lambda col, v: col == v,
    'iequals': lambda col, v: sa.func.lower(col) == v.lower(),
}

_TRUE = ('', 'true', '1', 'yes', 'on')
_FALSE = ('false', '0', 'no', 'off')


def _boolean(name, column):
    def clause(values):
        tests = []
        for raw in values:
            low = raw.strip().lower()
            if low not in _TRUE + _FALSE:
                raise exceptions.BadRequest("Query parameter '%s' must be a boolean, got '%s'."
                                            % (name, raw[:64]))
            tests.append(column.is_(low in _TRUE))
        return sa.and_(*tests)
    return query.Field(column, clause=clause)


def _operator(op, column):
    return query.Field(column, clause=lambda values: sa.and_(
        *[_OPERATORS[op](column, v) for v in values]))


def _equal(column):
    return query.Field(column, clause=lambda values: sa.and_(*[column == v for v in values]))


def list_fields(model, names, booleans=()):
    """``{query parameter: Field}`` for the filterable attributes ``names`` of ``model``."""
    fields = {}
    for name in names:
        column = getattr(model, name)
        if name in booleans:
            fields[name] = _boolean(name, column)
            continue
        fields[name] = _equal(column)
        for op in _OPERATORS:
            fields['%s__%s' % (name, op)] = _operator(op, column)
    return fields


class Listing:
    """How one collection is listed: its model, filters and the rows shown by default."""

    def __init__(self, model, filters=(), booleans=(), owner=None, default_scope=None):
        self.model = model
        self.fields = list_fields(model, filters, booleans)
        self.names = set(filters)
        self.owner = owner                  # column holding the owner's user id
        self.default_scope = default_scope  # (filter name, clause) when it is absent

    def filters(self, params):
        """The list filters among ``params`` (``{name: [values]}``): unknown attributes are
        ignored as Keystone does, an unknown operator on a known one is a 400."""
        found = {}
        for key, values in params.items():
            name, _, op = key.partition('__')
            if name not in self.names:
                continue
            if key not in self.fields:
                raise exceptions.BadRequest("Unknown filter operator '%s' in '%s'." % (op, key))
            found[key] = values
        return found


def _role_domain_scope(values):
    return models.Role.domain_id == (values[0] or assignment.NULL_DOMAIN)


LISTINGS = {
    'domains': Listing(models.Domain, ('name', 'enabled'), ('enabled',)),
    'projects': Listing(models.Project, ('name', 'domain_id', 'enabled', 'parent_id'),
                        ('enabled',)),
    'users': Listing(models.User, ('name', 'domain_id', 'enabled'), ('enabled',)),
    'groups': Listing(models.Group, ('name', 'domain_id')),
    # ``GET /v3/roles`` lists global roles unless ``domain_id`` is given.
    'roles': Listing(models.Role, ('name',), default_scope=(
        'domain_id', models.Role.domain_id == assignment.NULL_DOMAIN)),
    'regions': Listing(models.Region, ('parent_region_id',)),
    'services': Listing(models.CatalogService, ('type', 'name')),
    'endpoints': Listing(models.Endpoint, ('interface', 'service_id', 'region_id')),
    'credentials': Listing(models.Credential, ('user_id', 'type'),
                           owner=models.Credential.user_id),
    'policies': Listing(models.Policy, ('type',)),
    'endpoint_groups': Listing(models.EndpointGroup, ('name',)),
    'consumers': Listing(models.Consumer, ('description',)),
}
LISTINGS['roles'].fields['domain_id'] = query.Field(
    models.Role.domain_id, clause=_role_domain_scope)
LISTINGS['roles'].names.add('domain_id')


def _is_domain_asked(params):
    values = params.get('is_domain')
    if not values:
        return False
    low = values[-1].strip().lower()
    if low not in _TRUE + _FALSE:
        raise exceptions.BadRequest("Query parameter 'is_domain' must be a boolean, got '%s'."
                                    % values[-1][:64])
    return low in _TRUE


def has_extra(plural):
    """Whether the collection keeps attributes the API does not define."""
    return 'extra' in LISTINGS[plural].model.__table__.columns


# A project with ``is_domain`` is a domain seen through the projects API (Keystone keeps
# domains as such projects; here they are rows of ``domains``).
def _get_project(sess, project_id):
    try:
        return resource.get_project(sess, project_id)
    except exceptions.NotFound:
        domain = sess.get(models.Domain, project_id)
        if domain is None:
            raise
        return domain


def _create_project(sess, is_domain=False, **data):
    if not is_domain:
        return resource.create_project(sess, **data)
    if data.get('parent_id') or data.get('domain_id'):
        raise exceptions.BadRequest('A project acting as a domain has no parent_id or '
                                    'domain_id.')
    return resource.create_domain(sess, data['name'], description=data.get('description'),
                                  enabled=data.get('enabled', True), tags=data.get('tags'),
                                  extra=data.get('extra'))


def _update_project(sess, project_id, changes):
    if not isinstance(_get_project(sess, project_id), models.Domain):
        return resource.update_project(sess, project_id, changes)
    for key in ('domain_id', 'parent_id'):
        if changes.pop(key, None) is not None:
            raise exceptions.BadRequest('Cannot change the %s of a project acting as a '
                                        'domain.' % key)
    return resource.update_domain(sess, project_id, changes)


def _delete_project(sess, project_id):
    if isinstance(_get_project(sess, project_id), models.Domain):
        return resource.delete_domain(sess, project_id)
    return resource.delete_project(sess, project_id)


def _entity_ops(store):
    """``{plural: (get, create, update, delete)}`` over the identity core modules."""
    conf = store.conf
    keys = store.credential_keys

    return {
        'domains': (resource.get_domain,
                    lambda sess, domain_id=None, **d: resource.create_domain(
                        sess, domain_id=domain_id, **d),
                    resource.update_domain, resource.delete_domain),
        'projects': (_get_project, _create_project, _update_project, _delete_project),
        'users': (users.get_user, users.create_user,
                  lambda sess, uid, data: users.update_user(
                      sess, uid, data, conf.identity.password_hash_cost),
                  users.delete_user),
        'groups': (users.get_group, users.create_group, users.update_group,
                   users.delete_group),
        'roles': (assignment.get_role, assignment.create_role, assignment.update_role,
                  assignment.delete_role),
        'regions': (catalog.get_region,
                    lambda sess, id=None, **d: catalog.create_region(
                        sess, id or uuid.uuid4().hex, **d),
                    catalog.update_region, catalog.delete_region),
        'services': (catalog.get_service, catalog.create_service, catalog.update_service,
                     catalog.delete_service),
        'endpoints': (catalog.get_endpoint, catalog.create_endpoint, catalog.update_endpoint,
                      catalog.delete_endpoint),
        'credentials': (credentials.get_credential,
                        lambda sess, id=None, **d: credentials.create_credential(
                            sess, keys, credential_id=id, **d),
                        lambda sess, cid, data: credentials.update_credential(
                            sess, keys, cid, data),
                        credentials.delete_credential),
        'policies': (catalog.POLICIES.get, catalog.POLICIES.create, catalog.POLICIES.update,
                     catalog.POLICIES.delete),
        'endpoint_groups': (catalog.ENDPOINT_GROUPS.get, catalog.ENDPOINT_GROUPS.create,
                            catalog.ENDPOINT_GROUPS.update, catalog.delete_endpoint_group),
        'consumers': (oauth1.CONSUMERS.get,
                      lambda sess, **d: oauth1.create_consumer(sess, keys, **d),
                      oauth1.CONSUMERS.update, oauth1.CONSUMERS.delete),
    }




_GETTERS = {'user': users.get_user, 'group': users.get_group, 'role': assignment.get_role,
            'project': resource.get_project, 'domain': resource.get_domain}


def _target(sess, **ids):
    """``{kind: columns}`` of the entities named by ``kind=id`` for a policy target; one
    that does not exist is left out, so policy answers (403) before the operation reports
    it missing (404) to a caller allowed to know."""
    target = {}
    for kind, ident in ids.items():
        try:
            target[kind] = policy_columns(_GETTERS[kind](sess, ident))
        except exceptions.NotFound:
            continue
    return target


class Lookup:
    """Reads a write check may need, inside the transaction of the write."""

    def __init__(self, sess):
        self.sess = sess

    def user_has_project_role(self, user_id, project_id):
        """Whether the user holds any role on the project (404 when it does not exist)."""
        project = resource.get_project(self.sess, project_id)
        return bool(assignment.project_role_ids(self.sess, user_id, project))


class Store:
    """Every database operation of the identity API (the process state holds one)."""

    def __init__(self, db, conf, credential_keys, provider):
        self.db = db
        self.conf = conf
        self.credential_keys = credential_keys
        self.provider = provider
        self._ops = _entity_ops(self)

    def _run(self, func):
        with self.db.session() as sess:
            return func(sess)

    # -- the plain CRUD collections -------------------------------------------------------

    def list_entities(self, plural, lr, owner_id=None):
        """One page (``lr.limit + 1`` rows at most) of ``plural`` after the id ``lr.marker``;
        ``owner_id`` narrows it to that user's rows."""
        spec = LISTINGS[plural]
        filters = spec.filters(lr.filters)
        if plural == 'projects' and _is_domain_asked(lr.filters):
            # projects acting as domains: the domains (none has a parent or a domain)
            if {'domain_id', 'parent_id'} & {k.partition('__')[0] for k in filters}:
                return []
            spec = LISTINGS['domains']
            filters = spec.filters(lr.filters)
        scopes = []
        if owner_id is not None:
            scopes.append(spec.owner == owner_id)
        if spec.default_scope and spec.default_scope[0] not in filters:
            scopes.append(spec.default_scope[1])
        scope = sa.and_(*scopes) if scopes else None
        marker = types.SimpleNamespace(id=lr.marker) if lr.marker else None

        def run(sess):
            stmt = query.build(spec.model, spec.fields, scope, filters, [], lr.limit, marker)
            return list(sess.scalars(stmt))
        return self._run(run)

    def get_entity(self, plural, ids):
        return self._run(lambda sess: self._ops[plural][0](sess, *ids))

    def create_entity(self, plural, data, check=None):
        """Create from ``data``; ``check(data, lookup)`` runs first in the transaction."""
        def run(sess):
            if check:
                check(data, Lookup(sess))
            return self._ops[plural][1](sess, **data)
        return self._run(run)

    def update_entity(self, plural, ids, authorize):
        """``authorize(stored entity, lookup)`` returns the changes (after its checks)."""
        get, _, update, _ = self._ops[plural]

        def run(sess):
            changes = authorize(get(sess, *ids), Lookup(sess))
            return update(sess, *ids, changes)
        return self._run(run)

    def delete_entity(self, plural, ids, authorize):
        get, _, _, delete = self._ops[plural]

        def run(sess):
            authorize(policy_columns(get(sess, *ids)))
            delete(sess, *ids)
        return self._run(run)

    def show_entity(self, plural, ids, authorize):
        def run(sess):
            entity = self._ops[plural][0](sess, *ids)
            authorize(policy_columns(entity))
            return entity
        return self._run(run)

    # -- project tags ---------------------------------------------------------------------

    def _project_tags(self, project_id, authorize, action):
        def run(sess):
            authorize(policy_columns(resource.get_project(sess, project_id)))
            return action(sess)
        return self._run(run)

    def project_tags(self, project_id, authorize):
        return self._project_tags(project_id, authorize, lambda sess: list(
            resource.get_project(sess, project_id).tags or []))

    def replace_project_tags(self, project_id, tags, authorize):
        return self._project_tags(project_id, authorize, lambda sess: (
            resource.replace_project_tags(sess, project_id, tags)))

    def add_project_tag(self, project_id, tag, authorize):
        return self._project_tags(project_id, authorize, lambda sess: (
            resource.add_project_tag(sess, project_id, tag)))

    def remove_project_tag(self, project_id, tag, authorize):
        self._project_tags(project_id, authorize, lambda sess: (
            resource.remove_project_tag(sess, project_id, tag)))

    # -- endpoint groups of projects (OS-EP-FILTER) -----------------------------------------

    def associate_endpoint_group(self, group_id, project_id):
        def run(sess):
            resource.get_project(sess, project_id)
            catalog.associate_endpoint_group(sess, group_id, project_id)
        self._run(run)

    def endpoint_group_project(self, group_id, project_id):
        """The project of an existing association (404 otherwise)."""
        def run(sess):
            project = resource.get_project(sess, project_id)
            catalog.check_endpoint_group_association(sess, group_id, project_id)
            return project
        return self._run(run)

    def dissociate_endpoint_group(self, group_id, project_id):
        self._run(lambda sess: catalog.dissociate_endpoint_group(sess, group_id, project_id))

    def endpoint_group_projects(self, group_id):
        def run(sess):
            ids = catalog.endpoint_group_project_ids(sess, group_id)
            return users.by_ids(sess, models.Project, ids)
        return self._run(run)

    def endpoint_group_endpoints(self, group_id):
        return self._run(lambda sess: catalog.endpoints_of_group(sess, group_id))

    def project_endpoint_groups(self, project_id):
        def run(sess):
            resource.get_project(sess, project_id)
            return catalog.project_endpoint_groups(sess, project_id)
        return self._run(run)

    # -- OAuth1 delegation ------------------------------------------------------------------

    def oauth_request_token(self, signed, project_id):
        """``(request token, its secret)``."""
        return self._run(lambda sess: oauth1.create_request_token(
            sess, self.credential_keys, signed, project_id))

    def authorize_request_token(self, token_id, user_id, role_refs):
        """The verifier."""
        return self._run(lambda sess: oauth1.authorize_request_token(sess, token_id, user_id,
                                                                     role_refs))

    def oauth_access_token(self, signed):
        """``(access token, its secret)``."""
        return self._run(lambda sess: oauth1.create_access_token(sess, self.credential_keys,
                                                                 signed))

    def access_tokens_of(self, user_id):
        def run(sess):
            users.get_user(sess, user_id)
            return oauth1.access_tokens_of(sess, user_id)
        return self._run(run)

    def access_token(self, user_id, token_id):
        return self._run(lambda sess: oauth1.get_access_token(sess, user_id, token_id))

    def access_token_roles(self, user_id, token_id):
        def run(sess):
            token = oauth1.get_access_token(sess, user_id, token_id)
            return users.by_ids(sess, models.Role, token.role_ids)
        return self._run(run)

    def delete_access_token(self, user_id, token_id):
        self._run(lambda sess: sess.delete(oauth1.get_access_token(sess, user_id, token_id)))

    # -- domain configuration -------------------------------------------------------------

    def domain_config(self, domain_id, group=None, option=None):
        return self._run(lambda sess: domain_config.get(sess, domain_id, group, option))

    def replace_domain_config(self, domain_id, config):
        """``(config, created)``."""
        return self._run(lambda sess: domain_config.replace(sess, domain_id, config))

    def update_domain_config(self, domain_id, changes, group=None, option=None):
        return self._run(lambda sess: domain_config.update(sess, domain_id, changes, group,
                                                           option))

    def delete_domain_config(self, domain_id, group=None, option=None):
        self._run(lambda sess: domain_config.delete(sess, domain_id, group, option))

    # -- tokens ---------------------------------------------------------------------------

    def issue_token(self, auth, include_catalog, signed=None):
        """``(token id, token body)`` for an authentication request; ``signed`` is the
        request's OAuth signature (oauth1.SignedRequest) for the oauth1 method."""
        def run(sess):
            identity = auth['identity']
            if 'oauth1' in identity['methods']:
                if signed is None:
                    raise exceptions.Unauthorized('The oauth1 method needs a signed request.')
                # what the method sees is the verified access token, never the body's
                identity['oauth1'] = {token_provider.OAUTH1_VERIFIED: oauth1.signed_access_token(
                    sess, self.credential_keys, signed)}
            claims = self.provider.authenticate(sess, auth)
            return self.provider.issue(claims), self.provider.token_body(
                sess, claims, include_catalog)
        return self._run(run)

    def validate_token(self, token_id, allow_expired=False):
        """The claims of a valid token (NotFound otherwise)."""
        return self._run(lambda sess: self.provider.validate(sess, token_id,
                                                             allow_expired=allow_expired))

    def subject_token_body(self, token_id, allow_expired, include_catalog, authorize):
        """The body of a subject token; ``authorize(claims)`` first."""
        def run(sess):
            claims = self.provider.validate(sess, token_id, allow_expired=allow_expired)
            authorize(claims)
            return self.provider.token_body(sess, claims, include_catalog)
        return self._run(run)

    def revoke_token(self, token_id, authorize):
        def run(sess):
            claims = self.provider.validate(sess, token_id)
            authorize(claims)
            self.provider.revoke_token(sess, claims)
        return self._run(run)

    def enabled_projects_of(self, user_id):
        return self._run(lambda sess: [p for p in assignment.user_projects(sess, user_id)
                                       if p.enabled])

    def enabled_domains_of(self, user_id):
        return self._run(lambda sess: [d for d in assignment.user_domains(sess, user_id)
                                       if d.enabled])

    def has_system_role(self, user_id):
        return self._run(lambda sess: bool(assignment.system_role_ids(sess, user_id)))

    def catalog(self, project_id, user_id):
        return self._run(lambda sess: catalog.build_catalog(sess, project_id, user_id))

    def revoke_events(self, since=None, since_id=None):
        return self._run(lambda sess: [revoke.to_dict(e) for e in
                                       revoke.list_events(sess, since, since_id)])

    def aws_token(self, access, string_to_sign, signature, canonical, ttl):
        """``(token id, body)`` for the owner of the EC2 credential ``access`` when
        ``signature`` signs ``string_to_sign`` with its secret and is recent enough."""
        def run(sess):
            cred = credentials.get_ec2_by_access(sess, access)
            if cred is None:
                raise exceptions.Unauthorized('The EC2 access key %s is not valid.' % access)
            secret = credentials.ec2_view(self.credential_keys, cred)['secret']
            if not credentials.check_aws_signature(secret, string_to_sign, signature):
                raise exceptions.Unauthorized('The request signature does not match.')
            try:
                aws_request_time.check(string_to_sign, canonical, ttl=ttl)
            except aws_request_time.StaleRequest as exc:
                raise exceptions.Unauthorized('The signed request is not usable: %s.' % exc)
            user = users.get_user(sess, cred.user_id)
            claims = self.provider.authenticate_as(sess, user, cred.project_id,
                                                   ['ec2credential'])
            return self.provider.issue(claims), self.provider.token_body(
                sess, claims, include_catalog=True)
        return self._run(run)

    # -- membership, a user's projects and groups -----------------------------------------

    def projects_of_user(self, user_id, authorize):
        def run(sess):
            users.get_user(sess, user_id)
            authorize()
            return assignment.user_projects(sess, user_id)
        return self._run(run)

    def groups_of_user(self, user_id, authorize):
        def run(sess):
            users.get_user(sess, user_id)
            authorize()
            return users.by_ids(sess, models.Group, users.user_group_ids(sess, user_id))
        return self._run(run)

    def users_in_group(self, group_id, authorize):
        def run(sess):
            users.get_group(sess, group_id)
            authorize()
            return users.by_ids(sess, models.User, users.group_member_ids(sess, group_id))
        return self._run(run)

    def _membership(self, group_id, user_id, authorize, action):
        def run(sess):
            authorize(_target(sess, group=group_id, user=user_id))
            return action(sess)
        return self._run(run)

    def add_user_to_group(self, group_id, user_id, authorize):
        self._membership(group_id, user_id, authorize,
                         lambda sess: users.add_to_group(sess, user_id, group_id))

    def user_in_group(self, group_id, user_id, authorize):
        return self._membership(group_id, user_id, authorize,
                                lambda sess: users.is_in_group(sess, user_id, group_id))

    def remove_user_from_group(self, group_id, user_id, authorize):
        self._membership(group_id, user_id, authorize,
                         lambda sess: users.remove_from_group(sess, user_id, group_id))

    def change_password(self, user_id, original, new):
        self._run(lambda sess: users.change_password(
            sess, user_id, original, new, self.conf.identity.password_hash_cost))

    # -- implied roles --------------------------------------------------------------------

    def create_implied_role(self, prior_id, implied_id):
        """``(prior role, implied role)``."""
        return self._run(lambda sess: assignment.create_implied_role(sess, prior_id,
                                                                     implied_id))

    def get_implied_role(self, prior_id, implied_id):
        """``(prior role, implied role)`` of an existing rule (404 otherwise)."""
        def run(sess):
            assignment.get_implied_role(sess, prior_id, implied_id)
            return assignment.get_role(sess, prior_id), assignment.get_role(sess, implied_id)
        return self._run(run)

    def delete_implied_role(self, prior_id, implied_id):
        self._run(lambda sess: assignment.delete_implied_role(sess, prior_id, implied_id))

    def roles_implied_by(self, prior_id):
        """``(prior role, [implied roles])``."""
        def run(sess):
            prior = assignment.get_role(sess, prior_id)
            return prior, [assignment.get_role(sess, r)
                           for r in assignment.implied_map(sess).get(prior.id, [])]
        return self._run(run)

    def role_inferences(self):
        """``[(prior role, [implied roles])]`` of every rule, by prior role id."""
        def run(sess):
            return [(assignment.get_role(sess, prior_id),
                     [assignment.get_role(sess, i) for i in implied_ids])
                    for prior_id, implied_ids in sorted(assignment.implied_map(sess).items())]
        return self._run(run)

    # -- grants and role assignments ------------------------------------------------------

    def _grant(self, actor, actor_id, target, target_id, role_id, authorize, action):
        def run(sess):
            ids = {'role': role_id, actor: actor_id}
            if target in ('project', 'domain'):
                ids[target] = target_id
            policy_target = _target(sess, **ids)
            if target == 'system':
                policy_target['system'] = {'id': target_id}
            authorize(policy_target)
            return action(sess, actor, actor_id, target, target_id, role_id)
        return self._run(run)

    def create_grant(self, actor, actor_id, target, target_id, role_id, inherited, authorize):
        self._grant(actor, actor_id, target, target_id, role_id, authorize,
                    lambda sess, *a: assignment.create_grant(sess, *a, inherited))

    def check_grant(self, actor, actor_id, target, target_id, role_id, inherited, authorize):
        self._grant(actor, actor_id, target, target_id, role_id, authorize,
                    lambda sess, *a: assignment.check_grant(sess, *a, inherited))

    def delete_grant(self, actor, actor_id, target, target_id, role_id, inherited, authorize):
        self._grant(actor, actor_id, target, target_id, role_id, authorize,
                    lambda sess, *a: assignment.delete_grant(sess, *a, inherited))

    def list_grants(self, actor, actor_id, target, target_id, inherited):
        return self._run(lambda sess: assignment.list_grants(
            sess, actor, actor_id, target, target_id, inherited))

    def role_assignments(self, effective, project_id, include_subtree, filters):
        """Assignment entries (assignment_list's dicts) matching ``filters`` (user_id,
        group_id, role_id, domain_id, system, inherited) on ``project_id`` (and below it
        with ``include_subtree``)."""
        def run(sess):
            user_id, group_id = filters.get('user_id'), filters.get('group_id')
            if effective:
                # the user's own assignments and those of its groups: never the whole table
                entries = assignment_list.raw_assignments(
                    sess, [user_id] if user_id else (),
                    users.user_group_ids(sess, user_id) if user_id else ())
                entries = assignment_list.effective_assignments(sess, entries, user_id)
            else:
                entries = assignment_list.raw_assignments(
                    sess, [user_id] if user_id else (), [group_id] if group_id else (),
                    filters.get('role_id'))
            project_ids = None
            if project_id:
                project_ids = {project_id}
                if include_subtree:
                    project_ids |= {p.id for p in resource.subtree(sess, project_id)}
            return assignment_list.filter_assignments(entries, project_id=project_ids,
                                                      **filters)
        return self._run(run)

    def assignment_names(self, items):
        """Add the names (and domains) of the role, actor and scope of each assignment."""
        self._run(lambda sess: _add_names(sess, items))

    # -- EC2 and application credentials ---------------------------------------------------

    def ec2_credentials(self, user_id):
        def run(sess):
            users.get_user(sess, user_id)
            return credentials.list_credentials(sess, user_id, 'ec2')
        return self._run(run)

    def create_ec2_credential(self, user_id, project_id):
        """A new EC2 credential of a user on a project where the user holds a role."""
        def run(sess):
            users.get_user(sess, user_id)
            project = resource.get_project(sess, project_id)
            if not assignment.project_role_ids(sess, user_id, project):
                raise exceptions.Forbidden('User %s has no role on project %s.'
                                           % (user_id, project_id))
            return credentials.create_ec2(sess, self.credential_keys, user_id, project_id)
        return self._run(run)

    @staticmethod
    def _ec2(sess, user_id, access):
        cred = credentials.get_ec2_by_access(sess, access)
        if cred is None or cred.user_id != user_id:
            raise exceptions.NotFound('Could not find credential: %s.' % access)
        return cred

    def get_ec2_credential(self, user_id, access):
        return self._run(lambda sess: self._ec2(sess, user_id, access))

    def delete_ec2_credential(self, user_id, access):
        self._run(lambda sess: credentials.delete_credential(
            sess, self._ec2(sess, user_id, access).id))

    @staticmethod
    def _app_cred_roles(sess, cred):
        return users.by_ids(sess, models.Role, cred.role_ids)

    def app_credentials(self, user_id, name=None):
        """``[(credential, roles)]`` of a user (the roles of all in one query)."""
        def run(sess):
            users.get_user(sess, user_id)
            found = app_creds.list_for_user(sess, user_id, name)
            roles = {r.id: r for r in users.by_ids(
                sess, models.Role, {rid for c in found for rid in c.role_ids})}
            return [(c, [roles[r] for r in c.role_ids if r in roles]) for c in found]
        return self._run(run)

    def get_app_credential(self, user_id, app_cred_id):
        """``(credential, roles)``."""
        def run(sess):
            cred = app_creds.get(sess, user_id, app_cred_id)
            return cred, self._app_cred_roles(sess, cred)
        return self._run(run)

    @staticmethod
    def _refuse_restricted(sess, app_cred_id, verb):
        """A restricted application credential's token manages no application credentials
        (Keystone's rule): else it could replace itself with a wider one or remove the
        user's others."""
        if app_cred_id and not app_creds.get(sess, None, app_cred_id).unrestricted:
            raise exceptions.Forbidden('A restricted application credential cannot %s '
                                       'application credentials.' % verb)

    def create_app_credential(self, caller_app_cred, user_id, project_id, data,
                              token_role_ids):
        """``(credential, roles, secret)``; ``caller_app_cred`` is the id of the application
        credential the caller's token comes from, if any."""
        def run(sess):
            self._refuse_restricted(sess, caller_app_cred, 'create')
            cred, secret = app_creds.create(
                sess, user_id, project_id, data['name'], token_role_ids,
                role_refs=data.get('roles'), secret=data.get('secret'),
                description=data.get('description'),
                expires_at=app_creds.parse_expiry(data.get('expires_at')),
                unrestricted=bool(data.get('unrestricted')),
                hash_cost=self.conf.identity.password_hash_cost)
            return cred, self._app_cred_roles(sess, cred), secret
        return self._run(run)

    def delete_app_credential(self, caller_app_cred, user_id, app_cred_id):
        def run(sess):
            self._refuse_restricted(sess, caller_app_cred, 'delete')
            app_creds.delete(sess, user_id, app_cred_id)
        self._run(run)


def _add_names(sess, items):
    """Names of the roles, actors and scopes of ``items``: one query per kind of entity,
    whatever the number of assignments."""
    def load(model, ids):
        # (id, name, domain_id) rows, not entities: thousands of items stay cheap
        ids = list(set(ids))
        if not ids:
            return {}
        columns = [model.id, model.name] + (
            [model.domain_id] if 'domain_id' in model.__table__.columns else [])
        return {row.id: row for row in sess.execute(sa.select(*columns).where(
            model.id.in_(ids)))}
    roles = load(models.Role, (item['role']['id'] for item in items))
    actors = {kind: load(model, (item[kind]['id'] for item in items if kind in item))
              for kind, model in (('user', models.User), ('group', models.Group))}
    projects = load(models.Project, (item['scope']['project']['id'] for item in items
                                     if 'project' in item['scope']))
    domains = load(models.Domain, [e.domain_id for found in list(actors.values()) + [projects]
                                   for e in found.values()] +
                   [item['scope']['domain']['id'] for item in items
                    if 'domain' in item['scope']])

    def named_domain(domain_id):
        if domain_id not in domains:
            raise exceptions.NotFound('Could not find domain: %s.' % domain_id)
        return {'id': domain_id, 'name': domains[domain_id].name}

    def found(rows, ident, kind):
        if ident not in rows:
            raise exceptions.NotFound('Could not find %s: %s.' % (kind, ident))
        return rows[ident]

    for item in items:
        role = found(roles, item['role']['id'], 'role')
        item['role'].update(name=role.name)
        if assignment.role_domain(role):
            item['role']['domain'] = {'id': assignment.role_domain(role)}
        for kind in ('user', 'group'):
            if kind in item:
                entity = found(actors[kind], item[kind]['id'], kind)
                item[kind].update(name=entity.name, domain=named_domain(entity.domain_id))
        scope = item['scope']
        if 'project' in scope:
            project = found(projects, scope['project']['id'], 'project')
            scope['project'].update(name=project.name, domain=named_domain(project.domain_id))
        elif 'domain' in scope:
            scope['domain']['name'] = named_domain(scope['domain']['id'])['name']
