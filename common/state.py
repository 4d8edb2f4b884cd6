"""The per-process state of a service: its config, database, policy enforcer and transport.

A service subclasses ``ServiceState`` once and names what differs::

    class NetworkState(state.ServiceState):
        service = 'network'
        policy_rules = staticmethod(policies.list_rules)
        migrations = 'network.db.migrations'

``NetworkState.get(conf)`` returns the one state of that ConfigOpts in this process (the
API app, the RPC server and the periodic tasks of one daemon share it); ``forget(conf)``
drops and closes it (tests build many).  ``db``, ``enforcer`` and ``transport`` are built
on first use.  One rule for schemas: ``<svc>-manage db-sync`` migrates; daemons call
``check_schema()`` and refuse to start on an older schema.
"""
import logging
import threading

from common import config
from common.db import api as db_api
from common.db import migration

LOG = logging.getLogger(__name__)


class lazy:
    """A state attribute built by the decorated method on first use (once, under the
    state lock), then kept: ``@state.lazy def core(self): return Core(self.db, ...)``."""

    def __init__(self, build):
        self.build = build
        self.name = build.__name__
        self.__doc__ = build.__doc__

    def __get__(self, instance, owner):
        if instance is None:
            return self
        with instance._lock:
            # Stored in the instance dict, which takes precedence from then on.
            if self.name not in instance.__dict__:
                instance.__dict__[self.name] = self.build(instance)
        return instance.__dict__[self.name]

    @staticmethod
    def built(instance, name):
        """The value if it was built, else None (for closing only what exists)."""
        return instance.__dict__.get(name)


class SchemaOutdated(config.ConfigError):
    """The database is not at the schema this code needs; the message says what to run."""


class ServiceState:
    """Lazily built per-conf objects of one service; subclasses set the class attributes."""

    service = None          # the service name: database file, policy file, manage CLI
    policy_rules = None     # callable returning the RuleDefault list (or the list itself)
    policy_default_rule = None  # rule used for names no default declares
    migrations = None       # package of the service's migrations ('<svc>.db.migrations')

    _lock = threading.RLock()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._instances = {}  # id(conf) -> state; one registry per service class
        rules = cls.__dict__.get('policy_rules')
        if isinstance(rules, (list, tuple)):
            cls.policy_rules = staticmethod(lambda: list(rules))
        elif callable(rules) and not isinstance(rules, (staticmethod, classmethod)):
            # A plain function as class attribute would be bound as a method.
            cls.policy_rules = staticmethod(rules)

    def __init__(self, conf):
        self.conf = conf
        self._reload_hooks = []
        conf.add_reload_hook(self._reloaded)

    # registry -------------------------------------------------------------
    @classmethod
    def get(cls, conf):
        """The state of ``conf`` in this process, built on first use."""
        with cls._lock:
            state = cls._instances.get(id(conf))
            if state is None or state.conf is not conf:
                state = cls._instances[id(conf)] = cls(conf)
            return state

    @classmethod
    def peek(cls, conf):
        """The state of ``conf`` if one was built, else None."""
        state = cls._instances.get(id(conf))
        return state if state is not None and state.conf is conf else None

    @classmethod
    def forget(cls, conf):
        """Drop and close the state of ``conf`` (tests, daemon shutdown); return it or None."""
        with cls._lock:
            state = cls._instances.pop(id(conf), None)
        if state is not None and state.conf is conf:
            state.close()
            return state
        return None

    # lazily built parts ---------------------------------------------------
    @lazy
    def db(self):
        return db_api.from_conf(self.conf, self.service)

    @lazy
    def enforcer(self):
        from common import policy
        from common.policy import opts as policy_opts
        rules = self.policy_rules() if self.policy_rules is not None else []
        return policy.Enforcer(policy_opts.policy_path(self.conf, self.service),
                               defaults=rules, default_rule=self.policy_default_rule)

    @lazy
    def transport(self):
        from common import rpc
        return rpc.get_transport(self.conf.transport_url)

    # schema ---------------------------------------------------------------
    def schema_version(self):
        return migration.current_version(self.db.engine)

    def head_version(self):
        found = migration.discover(self.migrations)
        return found[-1][0] if found else 0

    def sync_schema(self):
        """Apply every pending migration; return the new version (``db-sync``)."""
        return migration.upgrade(self.db, self.migrations)

    def check_schema(self):
        """Raise SchemaOutdated unless the database is at the newest schema."""
        current, head = self.schema_version(), self.head_version()
        if current != head:
            raise SchemaOutdated(
                'the %s database is at schema version %d, this code needs %d: run '
                '"%s-manage db-sync"' % (self.service, current, head, self.service)
                if current < head else
                'the %s database is at schema version %d, newer than this code (%d)'
                % (self.service, current, head))
        return current

    # reload (SIGHUP) --------------------------------------------------------
    def add_reload_hook(self, hook):
        """Call ``hook(conf)`` after each config reload of this state's conf."""
        self._reload_hooks.append(hook)

    def reload(self, conf):
        """Apply a reloaded config to what was built from the old one (override)."""

    def _reloaded(self, conf):
        self.reload(conf)
        for hook in list(self._reload_hooks):
            hook(conf)

    # teardown -------------------------------------------------------------
    def close(self):
        self.conf.remove_reload_hook(self._reloaded)
        if lazy.built(self, 'db') is not None:
            self.db.dispose()
        if lazy.built(self, 'transport') is not None:
            self.transport.cleanup()
