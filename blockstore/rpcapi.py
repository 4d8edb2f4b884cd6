"""The RPC contract between blockstore-api, blockstore-scheduler and blockstore-volume.

Volume daemons serve ``blockstore-volume.<host>@<backend>`` (a volume's ``host`` without
its ``#pool``); the API casts work that ends in a status change and calls what compute
waits for (connection info)."""
from common import rpcapi

EXCHANGE = 'blockstore'
SCHEDULER_TOPIC = 'blockstore-scheduler'
VOLUME_TOPIC = 'blockstore-volume'


def backend_host(volume_host):
    """``host@backend#pool`` -> ``host@backend``: the RPC server of that pool."""
    return volume_host.partition('#')[0] if volume_host else volume_host


class SchedulerAPI(rpcapi.RPCAPI):
    TOPIC = SCHEDULER_TOPIC
    EXCHANGE = EXCHANGE

    def create_volume(self, ctx, volume_id):
        self._cast(ctx, 'create_volume', volume_id=volume_id)

    def create_group(self, ctx, group_id):
        self._cast(ctx, 'create_group', group_id=group_id)


class VolumeAPI(rpcapi.RPCAPI):
    TOPIC = VOLUME_TOPIC
    EXCHANGE = EXCHANGE

    def create_volume(self, ctx, host, volume_id):
        self._cast(ctx, 'create_volume', host=backend_host(host), volume_id=volume_id)

    def delete_volume(self, ctx, host, volume_id, cascade=False):
        self._cast(ctx, 'delete_volume', host=backend_host(host), volume_id=volume_id,
                   cascade=cascade)

    def extend_volume(self, ctx, host, volume_id, new_size):
        self._cast(ctx, 'extend_volume', host=backend_host(host), volume_id=volume_id,
                   new_size=new_size)

    def copy_volume_to_image(self, ctx, host, volume_id, image_id, disk_format):
        self._cast(ctx, 'copy_volume_to_image', host=backend_host(host), volume_id=volume_id,
                   image_id=image_id, disk_format=disk_format)

    def create_snapshot(self, ctx, host, snapshot_id):
        self._cast(ctx, 'create_snapshot', host=backend_host(host), snapshot_id=snapshot_id)

    def delete_snapshot(self, ctx, host, snapshot_id):
        self._cast(ctx, 'delete_snapshot', host=backend_host(host), snapshot_id=snapshot_id)

    def initialize_connection(self, ctx, host, volume_id, connector):
        return self._call(ctx, 'initialize_connection', host=backend_host(host),
                          volume_id=volume_id, connector=connector)

    def terminate_connection(self, ctx, host, volume_id, connector, remove_export=False):
        return self._call(ctx, 'terminate_connection', host=backend_host(host),
                          volume_id=volume_id, connector=connector,
                          remove_export=remove_export)

    def create_backup(self, ctx, host, backup_id):
        self._cast(ctx, 'create_backup', host=backend_host(host), backup_id=backup_id)

    def restore_backup(self, ctx, host, backup_id, volume_id, create=False):
        self._cast(ctx, 'restore_backup', host=backend_host(host), backup_id=backup_id,
                   volume_id=volume_id, create=create)

    def delete_backup(self, ctx, host, backup_id):
        self._cast(ctx, 'delete_backup', host=backend_host(host), backup_id=backup_id)

    # migration: the source's daemon copies to the destination's (calls, in order)
    def migrate_volume(self, ctx, host, volume_id, destination):
        self._cast(ctx, 'migrate_volume', host=backend_host(host), volume_id=volume_id,
                   destination=destination)

    def create_migration_target(self, ctx, host, volume_id):
        return self._call(ctx, 'create_migration_target', host=backend_host(host),
                          volume_id=volume_id)

    def write_migration_data(self, ctx, host, volume_id, offset, data):
        return self._call(ctx, 'write_migration_data', host=backend_host(host),
                          volume_id=volume_id, offset=offset, data=data)

    def delete_migration_target(self, ctx, host, volume_id):
        return self._call(ctx, 'delete_migration_target', host=backend_host(host),
                          volume_id=volume_id)

    # generic volume groups (a group's work is done by the daemon of its pool)
    def create_group(self, ctx, host, group_id):
        self._cast(ctx, 'create_group', host=backend_host(host), group_id=group_id)

    def delete_group(self, ctx, host, group_id):
        self._cast(ctx, 'delete_group', host=backend_host(host), group_id=group_id)

    def create_group_from_src(self, ctx, host, group_id):
        self._cast(ctx, 'create_group_from_src', host=backend_host(host), group_id=group_id)

    def create_group_snapshot(self, ctx, host, group_snapshot_id):
        self._cast(ctx, 'create_group_snapshot', host=backend_host(host),
                   group_snapshot_id=group_snapshot_id)

    def delete_group_snapshot(self, ctx, host, group_snapshot_id):
        self._cast(ctx, 'delete_group_snapshot', host=backend_host(host),
                   group_snapshot_id=group_snapshot_id)
