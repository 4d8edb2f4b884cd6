"""What the compute API takes from the process state (compute.state.ComputeState: config,
database, policy, transport): that, plus the engine built on first use."""
import threading

from compute.state import ComputeState

_LOCK = threading.Lock()


def get(conf):
    return ComputeState.get(conf)


def engine(state):
    """The state's compute.engine.Engine (one per process)."""
    if getattr(state, '_engine', None) is None:
        with _LOCK:
            if getattr(state, '_engine', None) is None:
                from compute import engine as engine_mod
                state._engine = engine_mod.Engine(state.conf, state.db, state.transport)
    return state._engine
