"""The identity service's configuration options."""
from common import config
from common import daemon

CONF = config.ConfigOpts()

IDENTITY_OPTS = [
    config.IntOpt('token_expiration', default=3600, min=60,
                  help='Seconds a token is valid after it is issued.'),
    config.BoolOpt('allow_rescope_scoped_token', default=True,
                   help='Let a scoped token be exchanged for a token of another scope.'),
    config.StrOpt('key_repository', default=None,
                  help='Directory of the token signing keys (default: <state_path>/keys).'),
    config.IntOpt('max_active_keys', default=3, min=2,
                  help='Signing keys kept on rotation; older tokens verify with the older keys.'),
    config.IntOpt('password_hash_cost', default=14, min=10, max=20,
                  help='log2 of the scrypt work factor N for password hashes.'),
    config.IntOpt('max_password_length', default=4096, min=8,
                  help='Longest password accepted.'),
    config.IntOpt('list_limit', default=1000, min=1,
                  help='Most entities one list call returns when no limit is asked.'),
    config.StrOpt('default_domain_id', default='default',
                  help='ID of the domain v2-style requests and bootstrap use.'),
    config.StrOpt('admin_project_name', default='admin',
                  help='Name of the cloud admin project (tokens scoped to it are admin-project '
                       'tokens).'),
    config.StrOpt('admin_project_domain_name', default='Default',
                  help='Domain of the cloud admin project.'),
]

CREDENTIAL_OPTS = [
    config.IntOpt('auth_ttl', default=15, min=1,
                  help='Minutes an EC2/S3 signature stays usable for /v3/s3tokens and '
                       '/v3/ec2tokens, before and after the request time it signs (a '
                       'presigned request is usable until its own expiry).'),
]


def register(conf):
    daemon.register_api_opts(conf)
    conf.register_opts(IDENTITY_OPTS, group='identity')
    conf.register_opts(CREDENTIAL_OPTS, group='credential')


register(CONF)
