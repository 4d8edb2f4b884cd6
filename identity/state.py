"""The per-process state identity's middleware and controllers share: config, database,
policy, signing keys, credential keys, the token provider and the views."""
from common import state
from common.auth import tokens
from identity import policies


class IdentityState(state.ServiceState):
    service = 'identity'
    policy_rules = policies.DEFAULTS
    migrations = 'identity.db.migrations'

    def __init__(self, conf):
        from identity.api import views
        from identity.core import credential_crypto
        from identity.core import token_provider
        from identity.db import api as db_api
        super().__init__(conf)
        key_dir = credential_crypto.key_dir(conf)
        self.keys = tokens.KeyRepository(key_dir, conf.identity.max_active_keys)
        self.credential_keys = credential_crypto.CredentialKeys(key_dir)
        self.provider = token_provider.TokenProvider(
            self.db, self.keys, expiration=conf.identity.token_expiration,
            hash_cost=conf.identity.password_hash_cost,
            admin_project=(conf.identity.admin_project_name,
                           conf.identity.admin_project_domain_name),
            allow_rescope=conf.identity.allow_rescope_scoped_token)
        self.views = views.Views(conf, self.credential_keys)
        self.store = db_api.Store(self.db, conf, self.credential_keys, self.provider)

    def reload(self, conf):
        """Apply a reloaded configuration (SIGHUP) to what was built from the old one."""
        self.keys.max_active = conf.identity.max_active_keys
        self.provider.expiration = conf.identity.token_expiration
        self.provider.hash_cost = conf.identity.password_hash_cost
        self.provider.admin_project = (conf.identity.admin_project_name,
                                       conf.identity.admin_project_domain_name)
        self.provider.allow_rescope = conf.identity.allow_rescope_scoped_token
