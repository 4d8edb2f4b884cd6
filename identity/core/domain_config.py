"""Domain-specific configuration (``/v3/domains/{id}/config``): per domain, values of the
options of the ``identity`` and ``ldap`` groups the API allows, kept as Keystone keeps them
with domain-specific drivers off (its default). This identity service has only its SQL
backend, so the stored options describe a domain; they do not switch its users' backend."""
from common import exceptions
from identity.core import resource
from identity.db import models

# The options the API accepts, with the values a domain has when it sets none.
DEFAULTS = {
    'identity': {'driver': 'sql', 'list_limit': None},
    'ldap': {
        'url': 'ldap://localhost', 'user': None, 'suffix': 'cn=example,cn=com',
        'query_scope': 'one', 'page_size': 0, 'alias_dereferencing': 'default',
        'chase_referrals': None, 'debug_level': None, 'user_tree_dn': None,
        'user_filter': None, 'user_objectclass': 'inetOrgPerson', 'user_id_attribute': 'cn',
        'user_name_attribute': 'sn', 'user_description_attribute': 'description',
        'user_mail_attribute': 'mail', 'user_pass_attribute': 'userPassword',
        'user_enabled_attribute': 'enabled', 'user_enabled_invert': False,
        'user_enabled_mask': 0, 'user_enabled_default': 'True',
        'user_default_project_id_attribute': None, 'group_tree_dn': None,
        'group_filter': None, 'group_objectclass': 'groupOfNames',
        'group_id_attribute': 'cn', 'group_name_attribute': 'ou',
        'group_member_attribute': 'member', 'group_members_are_ids': False,
        'group_desc_attribute': 'description', 'use_tls': False, 'tls_req_cert': 'demand',
        'tls_cacertfile': None, 'tls_cacertdir': None, 'use_pool': True, 'pool_size': 10,
    },
}
# Stored, never shown (Keystone's sensitive option).
SENSITIVE = {'ldap': {'password'}}
_SCALARS = (str, int, float, bool, type(None))


def _check(config):
    """403 for a group or option the API does not allow, 400 for a malformed value."""
    if not isinstance(config, dict) or not config:
        raise exceptions.BadRequest('A domain configuration is an object of groups.')
    for group, options in config.items():
        if group not in DEFAULTS:
            raise exceptions.Forbidden('Group %s is not allowed in a domain configuration '
                                       '(allowed: %s).' % (group, ', '.join(sorted(DEFAULTS))))
        if not isinstance(options, dict) or not options:
            raise exceptions.BadRequest('Group %s of a domain configuration is an object of '
                                        'options.' % group)
        for option, value in options.items():
            if option not in DEFAULTS[group] and option not in SENSITIVE.get(group, ()):
                raise exceptions.Forbidden('Option %s is not allowed in group %s of a domain '
                                           'configuration.' % (option, group))
            if not isinstance(value, _SCALARS) or (isinstance(value, str) and
                                                   len(value) > 1024):
                raise exceptions.BadRequest('Option %s.%s must be a string, number or '
                                            'boolean of at most 1024 characters.'
                                            % (group, option))
    return config


def shown(config):
    """A stored configuration without its sensitive options."""
    return {group: {k: v for k, v in options.items() if k not in SENSITIVE.get(group, ())}
            for group, options in config.items()}


def _row(sess, domain_id):
    resource.get_domain(sess, domain_id)
    row = sess.get(models.DomainConfig, domain_id)
    if row is None:
        raise exceptions.NotFound('Could not find domain config for domain %s.' % domain_id)
    return row


def get(sess, domain_id, group=None, option=None):
    """The configuration, one group of it or one option (404 for what is not set)."""
    config = shown(_row(sess, domain_id).config)
    if group is None:
        return config
    if group not in config:
        raise exceptions.NotFound('Domain %s has no configuration group %s.'
                                  % (domain_id, group))
    if option is None:
        return {group: config[group]}
    if option not in config[group]:
        raise exceptions.NotFound('Domain %s has no configuration option %s.%s.'
                                  % (domain_id, group, option))
    return {option: config[group][option]}


def replace(sess, domain_id, config):
    """``(config, created)``: the whole configuration set."""
    resource.get_domain(sess, domain_id)
    config = _check(config)
    row = sess.get(models.DomainConfig, domain_id)
    created = row is None
    if created:
        row = models.DomainConfig(domain_id=domain_id, config=config)
        sess.add(row)
    else:
        row.config = config
    return shown(config), created


def update(sess, domain_id, changes, group=None, option=None):
    """Merge ``changes`` (``{group: {option: value}}``, or ``{option: value}`` under
    ``option`` of ``group``) into the stored configuration; the result."""
    row = _row(sess, domain_id)
    if option is not None:
        if list(changes) != [option]:
            raise exceptions.BadRequest('The body names option %s only.' % option)
        changes = {group: changes}
    elif group is not None and list(changes) != [group]:
        raise exceptions.BadRequest('The body names group %s only.' % group)
    _check(changes)
    config = {g: dict(o) for g, o in row.config.items()}
    if group is not None and group not in config:
        raise exceptions.NotFound('Domain %s has no configuration group %s.'
                                  % (domain_id, group))
    if option is not None and option not in config[group]:
        raise exceptions.NotFound('Domain %s has no configuration option %s.%s.'
                                  % (domain_id, group, option))
    for g, options in changes.items():
        config.setdefault(g, {}).update(options)
    row.config = config
    return shown(config)


def delete(sess, domain_id, group=None, option=None):
    row = _row(sess, domain_id)
    if group is None:
        sess.delete(row)
        return
    config = {g: dict(o) for g, o in row.config.items()}
    if group not in config or (option is not None and option not in config[group]):
        raise exceptions.NotFound('Domain %s has no configuration %s.'
                                  % (domain_id, '.'.join(p for p in (group, option) if p)))
    if option is None:
        del config[group]
    else:
        del config[group][option]
        if not config[group]:
            del config[group]
    if config:
        row.config = config
    else:
        sess.delete(row)


def default(group=None, option=None):
    """The values of a domain that sets nothing (404 for an unknown group or option)."""
    if group is None:
        return DEFAULTS
    if group not in DEFAULTS:
        raise exceptions.NotFound('No domain configuration group %s.' % group)
    if option is None:
        return {group: DEFAULTS[group]}
    if option not in DEFAULTS[group]:
        raise exceptions.NotFound('No domain configuration option %s.%s.' % (group, option))
    return {option: DEFAULTS[group][option]}
