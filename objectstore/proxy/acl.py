"""Container ACLs (X-Container-Read/Write) and account ACLs (X-Account-Access-Control).

Container ACL: comma-separated elements; ``.r:<referrer>`` (``*``, a host, ``.suffix``,
``-`` to deny) grants reads to matching referrers, ``.rlistings`` also lets them list;
``<project>:<user>``, ``<project>:*``, ``*:<user>`` grant to identities: ids always, names
only where they are unambiguous (the caller decides, see ``names_allowed``).
Account ACL: JSON ``{"admin": [...], "read-write": [...], "read-only": [...]}`` of the same
identity forms.
"""
import json
import urllib.parse

from objectstore.proxy import utils

ACCOUNT_ACL_LEVELS = ('admin', 'read-write', 'read-only')


def parse_container_acl(value):
    """(referrers, groups) of an ACL header; 400 naming a malformed element."""
    referrers, groups = [], []
    if not value:
        return referrers, groups
    for element in (e.strip() for e in value.split(',')):
        if not element:
            continue
        if element.startswith('.'):
            if element == '.rlistings':
                groups.append(element)
                continue
            kind, sep, rest = element.partition(':')
            if not sep or kind not in ('.r', '.ref', '.referer', '.referrer'):
                raise utils.http_error(400, 'ACL element %r is not understood' % element)
            rest = rest.strip()
            negate = rest.startswith('-')
            host = rest[1:] if negate else rest
            if not host or host == '-':
                raise utils.http_error(400, 'ACL element %r names no referrer' % element)
            if host.startswith('*') and host != '*':
                host = host[1:]  # "*.example.com" means ".example.com"
            referrers.append(('-' if negate else '') + host)
        else:
            groups.append(element)
    return referrers, groups


def clean_container_acl(name, value):
    """The header value normalised, or 400 (write ACLs take no referrers)."""
    referrers, groups = parse_container_acl(value)
    if name.lower() == 'x-container-write' and (referrers or '.rlistings' in groups):
        raise utils.http_error(400, 'Referrers are not allowed in a write ACL: %s' % value)
    return ','.join(['.r:' + r for r in referrers] + groups)


def referrer_allowed(referrer, allowed):
    """Whether the Referer header's host matches the (ordered) referrer rules."""
    host = urllib.parse.urlparse(referrer or '').hostname or ''
    result = False
    for rule in allowed:
        deny = rule.startswith('-')
        pattern = rule[1:] if deny else rule
        if pattern == '*' or (pattern.startswith('.') and host.endswith(pattern)) \
                or host == pattern:
            result = not deny
    return result


def identity_matches(entry, ident, names_allowed=False):
    """``project:user`` ACL entry against the caller (``*`` wildcards); names match only
    with ``names_allowed`` (a name is unique in one domain only)."""
    if ':' not in entry:
        # A bare entry names a project (all its users) or a user id.
        return entry in (ident.get('project_id'), ident.get('user_id'))
    project, user = entry.split(':', 1)

    def matches(value, kind):
        return value == '*' or value == ident.get(kind + '_id') or (
            names_allowed and value == ident.get(kind + '_name'))
    return bool(matches(project, 'project') and matches(user, 'user') and ident.get('user_id'))


def parse_account_acl(value):
    """The account ACL dict; 400 naming what is malformed."""
    if not value:
        return {}
    try:
        acl = json.loads(value)
    except ValueError:
        raise utils.http_error(400, 'X-Account-Access-Control is not valid JSON')
    if not isinstance(acl, dict):
        raise utils.http_error(400, 'X-Account-Access-Control must be a JSON object')
    for key, entries in acl.items():
        if key not in ACCOUNT_ACL_LEVELS:
            raise utils.http_error(400, 'X-Account-Access-Control: unknown key %r (use %s)'
                                   % (key, ', '.join(ACCOUNT_ACL_LEVELS)))
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise utils.http_error(400, 'X-Account-Access-Control: %r must be a list of '
                                   'strings' % key)
    return acl


def account_acl_level(acl, ident, names_allowed=False):
    """The strongest level of ``acl`` granted to the caller, or None."""
    for level in ACCOUNT_ACL_LEVELS:
        if any(identity_matches(e, ident, names_allowed) for e in acl.get(level, [])):
            return level
    return None
