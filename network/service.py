"""The per-process service objects built from config: Core (DB, notifier), policy enforcer.

The API app and the RPC server of one network-api process share them, so both see the
same database handle and notify agents through the same transport.
"""
import threading

from common.policy import opts as policy_opts
from common import rpc
from network import policies
from network import rpcapi
from network.db import api as db_api
from network.plugin import Core

_LOCK = threading.Lock()
_CORES = {}


def get_core(conf):
    """The Core of ``conf`` (created, and the schema migrated, on first use)."""
    with _LOCK:
        core = _CORES.get(id(conf))
        if core is None:
            db = db_api.from_conf(conf)
            db_api.sync(db)
            transport = rpc.get_transport(conf.transport_url)
            core = Core(conf, db, rpcapi.AgentNotifier(transport))
            core.transport = transport
            _CORES[id(conf)] = core
        return core


def forget_core(conf):
    """Drop (and close) the Core of ``conf`` (tests)."""
    with _LOCK:
        core = _CORES.pop(id(conf), None)
    if core is not None:
        core.db.dispose()
        core.transport.cleanup()


def get_enforcer(conf):
    return policy_opts.enforcer_from_conf(conf, 'network', policies.list_rules())
