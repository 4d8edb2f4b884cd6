"""The per-process objects identity's middleware and controllers share."""
import os
import threading

from common.policy import opts as policy_opts
from common.auth import tokens
from common.db import api as db_api
from identity import policies
from identity.api import views
from identity.core import token_provider

_lock = threading.Lock()
_states = {}


class IdentityState:
    def __init__(self, conf):
        self.conf = conf
        self.db = db_api.from_conf(conf, 'identity')
        key_dir = conf.identity.key_repository or os.path.join(conf.state_path, 'keys')
        self.keys = tokens.KeyRepository(key_dir, conf.identity.max_active_keys)
        self.provider = token_provider.TokenProvider(
            self.db, self.keys, expiration=conf.identity.token_expiration,
            hash_cost=conf.identity.password_hash_cost,
            admin_project=(conf.identity.admin_project_name,
                           conf.identity.admin_project_domain_name),
            allow_rescope=conf.identity.allow_rescope_scoped_token)
        self.enforcer = policy_opts.enforcer_from_conf(conf, 'identity', policies.DEFAULTS)
        self.views = views.Views(conf)
        conf.add_reload_hook(self.reload)

    def reload(self, conf):
        """Apply a reloaded configuration (SIGHUP) to what was built from the old one."""
        self.keys.max_active = conf.identity.max_active_keys
        self.provider.expiration = conf.identity.token_expiration
        self.provider.hash_cost = conf.identity.password_hash_cost
        self.provider.admin_project = (conf.identity.admin_project_name,
                                       conf.identity.admin_project_domain_name)
        self.provider.allow_rescope = conf.identity.allow_rescope_scoped_token


def get(conf):
    """The shared state for ``conf`` (built once per process)."""
    with _lock:
        state = _states.get(id(conf))
        if state is None:
            state = _states[id(conf)] = IdentityState(conf)
        return state
