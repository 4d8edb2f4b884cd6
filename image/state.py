"""The per-process state of image-api: config, database, policy, and the Engine (stores,
staging, import runner) that the versions app and the API app of one process share."""
from common import state
from image import policies


class ImageState(state.ServiceState):
    service = 'image'
    policy_rules = policies.RULES
    policy_default_rule = 'default'
    migrations = 'image.db.migrations'

    @state.lazy
    def engine(self):
        """The Engine of this process, its interrupted imports resumed."""
        from image import engine as engine_mod
        from image import imports as imports_mod
        engine = engine_mod.Engine(self.conf, self.db, enforcer=self.enforcer)
        imports_mod.ImportRunner(engine).recover()
        return engine

    def close(self):
        engine = state.lazy.built(self, 'engine')
        if engine is not None:
            engine.imports.wait()
        super().close()
