"""The ``[oslo_policy]`` options every API service has, and its enforcer built from them."""
import os

from common import config
from common.policy.enforcer import Enforcer

OPTS = [
    config.StrOpt('policy_file', default='policy.yaml',
                  help='Policy overrides (oslo.policy rule language), relative to the '
                       'directory of the first config file.'),
]


def register_opts(conf):
    conf.register_opts(OPTS, group='oslo_policy')


def policy_path(conf, service):
    """The policy file to read: relative paths resolve beside the config file, then in
    etc/<service>; None when there is none (the defaults in code apply)."""
    path = conf.oslo_policy.policy_file
    if path and not os.path.isabs(path):
        if conf.config_files:
            path = os.path.join(os.path.dirname(conf.config_files[0]), path)
        else:
            path = config.find_config_file(service, path)
    return path


def enforcer_from_conf(conf, service, defaults):
    return Enforcer(policy_file=policy_path(conf, service), defaults=defaults)
