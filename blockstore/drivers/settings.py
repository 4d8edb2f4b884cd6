"""Options of a volume backend (one section per backend in blockstore.conf) and their
plain-value form, which is what the drivers take."""
import dataclasses
import typing

from common import config

OPTS = [
    config.StrOpt('volume_driver', default='file', choices=('file', 'lvm'),
                  help='Backend driver: file (sparse or preallocated files, the default '
                       'here) or lvm (logical volumes; needs device-mapper).'),
    config.StrOpt('volume_backend_name', default=None,
                  help='Name volume types select the backend by (default: the section '
                       'name).'),
    config.StrOpt('volumes_dir', default='/var/lib/cirrostack/blockstore/volumes',
                  help='file: directory of the volume and snapshot files.  lvm: where '
                       'images are downloaded and converted.'),
    config.StrOpt('file_preallocation', default='sparse', choices=('sparse', 'full'),
                  help='file: sparse files (thin; space taken as written) or fully '
                       'allocated ones (thick; no over-subscription).'),
    config.IntOpt('reserved_percentage', default=0, min=0, max=100,
                  help='Percentage of the capacity the scheduler keeps free.'),
    config.FloatOpt('max_over_subscription_ratio', default=20.0, min=1.0,
                    help='Thin backends: provisioned capacity may reach this many times the '
                         'real capacity.'),
    config.StrOpt('volume_group', default='cirrostack-volumes',
                  help='lvm: the volume group holding the volumes.'),
    config.StrOpt('lvm_type', default='default', choices=('default', 'thin'),
                  help='lvm: thick logical volumes with classic snapshots (default), or thin '
                       'volumes in lvm_thin_pool (snapshots and clones without copying).'),
    config.StrOpt('lvm_thin_pool', default=None,
                  help='lvm thin: the thin pool (default: <volume_group>-pool).'),
    config.StrOpt('volume_clear', default='zero', choices=('zero', 'none'),
                  help='lvm thick: overwrite a volume or snapshot with zeros before it is '
                       'removed, so the next volume on its extents cannot read old data.'),
    config.StrOpt('target_ip_address', default='127.0.0.1',
                  help='Address tgtd serves iSCSI on, given to compute as the portal.'),
    config.PortOpt('target_port', default=3260, help='Port of the iSCSI portal.'),
    config.StrOpt('target_prefix', default='iqn.2010-10.org.cirrostack:',
                  help='Target names are <target_prefix>volume-<volume id>.'),
    config.IntOpt('tgt_control_port', default=None, min=0, max=65535,
                  help='tgtd management port (tgtd -C); default: tgtd\'s own (0).'),
]


@dataclasses.dataclass
class BackendSettings:
    volume_driver: str = 'file'
    volume_backend_name: typing.Optional[str] = None
    volumes_dir: str = '/var/lib/cirrostack/blockstore/volumes'
    file_preallocation: str = 'sparse'
    reserved_percentage: int = 0
    max_over_subscription_ratio: float = 20.0
    volume_group: str = 'cirrostack-volumes'
    lvm_type: str = 'default'
    lvm_thin_pool: typing.Optional[str] = None
    volume_clear: str = 'zero'
    target_ip_address: str = '127.0.0.1'
    target_port: int = 3260
    target_prefix: str = 'iqn.2010-10.org.cirrostack:'
    tgt_control_port: typing.Optional[int] = None

    @classmethod
    def from_conf(cls, conf, group):
        section = getattr(conf, group)
        values = {f.name: getattr(section, f.name) for f in dataclasses.fields(cls)}
        values['volume_backend_name'] = values['volume_backend_name'] or group
        return cls(**values)


def register_opts(conf, group):
    conf.register_opts(OPTS, group=group)
