"""Configuration of the object store.

``[objectstore]`` holds what every node and the proxy share (hash path secret, ring
directory); the proxy registers it with ``register_cluster_opts``.  ``[storage]`` and the
per-daemon groups are local to a storage node.
"""
from common import config
from common import service

CONF = config.ConfigOpts()

CLUSTER_OPTS = [
    config.StrOpt('hash_path_prefix', default='', secret=True,
                  help='Secret mixed in front of every hashed path; the same on every node, '
                       'never changed once data is stored.'),
    config.StrOpt('hash_path_suffix', default='', secret=True,
                  help='Secret mixed after every hashed path; the same on every node, '
                       'never changed once data is stored.'),
    config.StrOpt('ring_dir', default='/etc/objectstore',
                  help='Directory of account.ring.json.gz, container.ring.json.gz and '
                       'object.ring.json.gz.'),
    config.StrOpt('container_sync_realms_file', default='',
                  help='The container sync realms (objectstore/container/sync_realms.py): '
                       'the clusters containers may sync to and the realm keys. Empty: '
                       'no container sync.'),
]

STORAGE_OPTS = [
    config.StrOpt('devices', default='/srv/node',
                  help='Root directory holding one sub-directory per device this node serves.'),
    config.StrOpt('bind_ip', default='127.0.0.1',
                  help='Address this node\'s devices are listed under in the rings; daemons '
                       'use it with the servers\' ports to tell which ring devices are local.'),
    config.IntOpt('reclaim_age', default=604800, min=1,
                  help='Seconds after which tombstones and deleted database rows are removed '
                       '(must exceed the longest time a node may be down).'),
    config.FloatOpt('conn_timeout', default=0.5, min=0.01,
                    help='Seconds to wait for a connection to another storage server.'),
    config.FloatOpt('node_timeout', default=10.0, min=0.1,
                    help='Seconds to wait for another storage server to answer.'),
    config.IntOpt('fsync_every_bytes', default=8 * 1024 * 1024, min=65536,
                  help='While an object is written, flush to disk every this many bytes so '
                       'the final fsync does not stall on a large dirty cache.'),
    config.IntOpt('max_object_size', default=5 * 1024 ** 3, min=1,
                  help='Largest object body accepted, in bytes.'),
    config.BoolOpt('disk_full_check', default=True,
                   help='Refuse writes (507) to a device with less than 1% space left.'),
]


def _server_opts(port):
    return [
        config.StrOpt('bind_host', default='127.0.0.1', help='Address the server listens on.'),
        config.PortOpt('bind_port', default=port, help='Port the server listens on.'),
        config.IntOpt('max_connections', default=1000, min=1,
                      help='Concurrent requests served (green threads).'),
        config.IntOpt('client_socket_timeout', default=60, min=0,
                      help='Seconds an idle client connection is kept (0: forever).'),
    ]


def _daemon_opts(interval, extra=()):
    return [config.FloatOpt('interval', default=interval, min=0.1,
                            help='Seconds between the start of two passes.')] + list(extra)


SERVER_PORTS = {'object-server': 6200, 'container-server': 6201, 'account-server': 6202}

DAEMON_OPTS = {
    'replicator': _daemon_opts(30.0, [
        config.IntOpt('concurrency', default=4, min=1,
                      help='Partitions replicated at the same time.'),
    ]),
    'auditor': _daemon_opts(300.0, [
        config.IntOpt('bytes_per_second', default=20 * 1024 * 1024, min=1024,
                      help='Rate at which the auditor reads object data, per process.'),
    ]),
    'updater': _daemon_opts(300.0),
    'expirer': _daemon_opts(300.0),
    'container-sync': _daemon_opts(60.0, [
        config.IntOpt('rows_per_pass', default=10000, min=1,
                      help='Most rows of one container synced in one pass.'),
    ]),
}


def register_cluster_opts(conf):
    conf.register_opts(CLUSTER_OPTS, group='objectstore')


def register(conf):
    service.register_opts(conf)
    register_cluster_opts(conf)
    conf.register_opts(STORAGE_OPTS, group='storage')
    for group, port in SERVER_PORTS.items():
        conf.register_opts(_server_opts(port), group=group)
    for group, opts in DAEMON_OPTS.items():
        conf.register_opts(opts, group=group)


register(CONF)
