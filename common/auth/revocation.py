"""Token revocation events and the matching of tokens against them.

Identity records an event when a token is revoked, a user disabled or its password
changed, a role assignment removed, a project or domain disabled or deleted.  An event
names some of (audit_id, user_id, project_id, domain_id, application_credential_id) and
``issued_before``: a token matches when every named field matches and it was issued at or
before that time.  Events older than the longest token lifetime can no longer match any
live token and are pruned.
"""
import threading

from common.auth import tokens

MATCH_FIELDS = ('audit_id', 'user_id', 'project_id', 'domain_id', 'application_credential_id')


def token_fields(claims):
    """The values of a token's claims that revocation events are matched against."""
    project = claims.get('project') or {}
    domains = {d for d in ((claims.get('udom') or {}).get('id'),
                           (project.get('domain') or {}).get('id'),
                           (claims.get('domain') or {}).get('id')) if d}
    return {
        'audit_id': set(claims.get('audit_ids') or []),
        'user_id': {claims.get('sub')},
        'project_id': {project.get('id')} if project else set(),
        'domain_id': domains,
        'application_credential_id': {claims.get('app_cred')} if claims.get('app_cred') else set(),
    }


def matches(event, claims, fields=None):
    """True when ``event`` revokes the token with ``claims``."""
    fields = fields or token_fields(claims)
    named = False
    for name in MATCH_FIELDS:
        value = event.get(name)
        if value is None:
            continue
        named = True
        if value not in fields[name]:
            return False
    if not named:
        return False
    issued_before = event.get('issued_before_ts')
    if issued_before is None:
        issued_before = tokens.parse_iso(event['issued_before'])
    return claims.get('iat', 0) <= issued_before + 1e-6


class RevocationList:
    """The events a service knows, indexed by the most selective field each names (audit
    id, then user, project, domain, application credential), so checking a token looks
    only at events naming one of its own values: the cost stays flat however many events
    other users, projects and tokens have."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_key = {}
        self._ids = set()
        self._count = 0
        self._oldest = None  # the smallest issued_before_ts held: prune is free until then
        self.last_id = 0

    def add(self, event):
        event = dict(event)
        if event.get('id') in self._ids and event.get('id') is not None:
            return
        event['issued_before_ts'] = tokens.parse_iso(event['issued_before'])
        key = self._key(event)
        with self._lock:
            self._by_key.setdefault(key, []).append(event)
            self._count += 1
            if self._oldest is None or event['issued_before_ts'] < self._oldest:
                self._oldest = event['issued_before_ts']
            if event.get('id') is not None:
                self._ids.add(event['id'])
                self.last_id = max(self.last_id, int(event['id']))

    def extend(self, events):
        for event in events:
            self.add(event)

    @staticmethod
    def _key(event):
        for name in MATCH_FIELDS:
            if event.get(name):
                return (name, event[name])
        return ('other', None)  # names nothing: matches no token, kept for the count

    def is_revoked(self, claims):
        fields = token_fields(claims)
        keys = [(name, value) for name in MATCH_FIELDS for value in fields[name] if value]
        with self._lock:
            candidates = [e for k in keys for e in self._by_key.get(k, ())]
        return any(matches(e, claims, fields) for e in candidates)

    def prune(self, older_than_ts):
        """Forget events whose issued_before is older than any live token could be."""
        with self._lock:
            if self._oldest is None or self._oldest >= older_than_ts:
                return  # nothing to forget: no scan of every event on each sync
            oldest = None
            for key in list(self._by_key):
                kept = [e for e in self._by_key[key] if e['issued_before_ts'] >= older_than_ts]
                if kept:
                    self._by_key[key] = kept
                    low = min(e['issued_before_ts'] for e in kept)
                    oldest = low if oldest is None else min(oldest, low)
                else:
                    del self._by_key[key]
            self._oldest = oldest
            self._count = sum(len(v) for v in self._by_key.values())

    def __len__(self):
        return self._count
