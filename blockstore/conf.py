"""The block storage service's configuration options (every daemon reads blockstore.conf)."""
from common import client
from common import config
from common import daemon
from blockstore.drivers import settings

CONF = config.ConfigOpts()

# The backends blockstore-volume serves: the sections named in [blockstore]
# enabled_backends, each a backend's settings (one RPC server per backend in the daemon).
BACKEND_GROUP = 'backend'
BACKEND_GROUPS = ('backend', 'backend2', 'backend3', 'backend4')

BLOCKSTORE_OPTS = [
    config.IntOpt('pagination_max_limit', default=1000, min=1,
                  help='Most items one list answer holds (a larger limit is capped).'),
    config.StrOpt('storage_availability_zone', default='nova',
                  help='Availability zone of this volume daemon\'s backend.'),
    config.StrOpt('default_availability_zone', default=None,
                  help='Zone of volumes created without one (default: '
                       'storage_availability_zone).'),
    config.StrOpt('default_volume_type', default='__DEFAULT__',
                  help='Volume type of volumes created without one (made by db-sync).'),
    config.StrOpt('default_group_type', default=None,
                  help='Name or id of the group type GET /group_types/default shows '
                       '(none: 404).'),
    config.ListOpt('enabled_backends', default=['backend'],
                   help='Sections of the backends blockstore-volume serves (of '
                        + ', '.join(BACKEND_GROUPS) + '), each with its own '
                        'volume_backend_name and storage.'),
    config.IntOpt('capacity_report_interval', default=10, min=1,
                  help='Seconds between the volume daemon\'s capacity reports.'),
    config.IntOpt('pool_down_time', default=60, min=1,
                  help='Seconds without a capacity report after which the scheduler skips '
                       'a pool.'),
    config.IntOpt('rpc_timeout', default=120, min=1,
                  help='Seconds an RPC call to a volume daemon may take.'),
    config.StrOpt('backup_container', default='volumebackups',
                  help='Object store container of backups.'),
    config.IntOpt('backup_chunk_size', default=32 * 1024 * 1024, min=65536,
                  help='Bytes per backup object.'),
    config.StrOpt('backup_compression', default='zlib', choices=('zstd', 'zlib', 'none'),
                  help='Compression of backup chunks.'),
]

QUOTA_OPTS = [
    config.IntOpt('quota_volumes', default=10, min=-1, help='Volumes per project (-1: no limit).'),
    config.IntOpt('quota_snapshots', default=10, min=-1,
                  help='Snapshots per project (-1: no limit).'),
    config.IntOpt('quota_gigabytes', default=1000, min=-1,
                  help='GiB of volumes and snapshots per project (-1: no limit).'),
    config.IntOpt('quota_backups', default=10, min=-1, help='Backups per project (-1: no limit).'),
    config.IntOpt('quota_backup_gigabytes', default=1000, min=-1,
                  help='GiB of backups per project (-1: no limit).'),
    config.IntOpt('quota_groups', default=10, min=-1, help='Groups per project (-1: no limit).'),
    config.IntOpt('per_volume_size_limit', default=-1, min=-1,
                  help='Largest volume in GiB (-1: no limit).'),
]

# Service users: block storage fetches images from image and writes backups to the object
# store with its own credentials.
SERVICE_USER_GROUPS = ('service_user',)


def register(conf):
    daemon.register_api_opts(conf)
    conf.register_opts(BLOCKSTORE_OPTS, group='blockstore')
    conf.register_opts(QUOTA_OPTS, group='quota')
    for group in BACKEND_GROUPS:
        settings.register_opts(conf, group)
    for group in SERVICE_USER_GROUPS:
        client.register_service_user_opts(conf, group)


register(CONF)
