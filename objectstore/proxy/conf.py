"""Configuration of the object store proxy (etc/objectstore/proxy-server.conf)."""
from common import config
from common import service
from common.auth import middleware as auth_middleware
from common.wsgi import server
from objectstore import conf as objectstore_conf

DEFAULT_PORT = 8080

PROXY_OPTS = [
    config.FloatOpt('conn_timeout', default=0.5, min=0.01,
                    help='Seconds to wait for a connection to a storage server.'),
    config.FloatOpt('node_timeout', default=10.0, min=0.1,
                    help='Seconds to wait for a storage server to answer or send the next chunk.'),
    config.IntOpt('chunk_size', default=65536, min=1024,
                  help='Bytes read from clients and storage servers at a time.'),
    config.IntOpt('handoff_count', default=0, min=0,
                  help='Handoff nodes tried after the primaries on reads (0: replica count).'),
    config.BoolOpt('account_autocreate', default=True,
                   help='Create an account on the first container PUT by its owner.'),
    config.ListOpt('operator_roles', default=['admin', 'member'],
                   help='Roles that make a user of the project the owner of its account.'),
    config.ListOpt('reseller_admin_roles', default=['ResellerAdmin', 'admin'],
                   help='Roles that reach every account (cloud operators).'),
    config.StrOpt('reseller_prefix', default='AUTH_',
                  help='Prefix of account names: <prefix><project id>.'),
    config.StrOpt('default_domain_id', default='default',
                  help='Identity\'s default domain: ACL entries by name (project:user) match '
                       'only users and projects of this domain, on accounts of its projects; '
                       'elsewhere ACLs must name ids.'),
    config.ListOpt('cors_allow_origin', default=[],
                   help='Origins allowed for CORS on every container (besides each '
                        'container\'s own X-Container-Meta-Access-Control-Allow-Origin).'),
    config.StrOpt('storage_policy', default='Policy-0',
                  help='Name of the storage policy of this cluster (its one object ring), '
                       'shown as X-Storage-Policy and in /info.'),
    config.IntOpt('max_file_size', default=5 * 1024 ** 3 + 2, min=1,
                  help='Largest single object upload in bytes (larger: 413; use SLO/DLO).'),
    config.IntOpt('container_listing_limit', default=10000, min=1,
                  help='Most objects one container listing returns.'),
    config.IntOpt('account_listing_limit', default=10000, min=1,
                  help='Most containers one account listing returns.'),
    config.IntOpt('max_object_name_length', default=1024, min=1,
                  help='Longest object name in bytes (UTF-8).'),
    config.IntOpt('max_container_name_length', default=256, min=1,
                  help='Longest container name in bytes (UTF-8).'),
    config.IntOpt('max_account_name_length', default=256, min=1,
                  help='Longest account name in bytes (UTF-8).'),
    config.IntOpt('max_meta_name_length', default=128, min=1,
                  help='Longest metadata name (after the X-*-Meta- prefix).'),
    config.IntOpt('max_meta_value_length', default=256, min=1,
                  help='Longest metadata value.'),
    config.IntOpt('max_meta_count', default=90, min=1,
                  help='Most metadata items one request may set.'),
    config.IntOpt('max_meta_overall_size', default=4096, min=1,
                  help='Most bytes of metadata names plus values one request may set.'),
    config.IntOpt('max_header_size', default=8192, min=1024,
                  help='Longest single header line accepted.'),
]


def register(conf):
    service.register_opts(conf)
    server.register_opts(conf)
    auth_middleware.register_opts(conf)
    objectstore_conf.register_cluster_opts(conf)
    conf.register_opts(PROXY_OPTS, group='proxy')


CONF = config.ConfigOpts()
register(CONF)
