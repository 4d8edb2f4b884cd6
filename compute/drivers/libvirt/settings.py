"""Options of the libvirt driver ([libvirt] in compute.conf) and their plain-value form."""
import dataclasses
import typing

from common import config

OPTS = [
    config.StrOpt('connection_uri', default='qemu:///system',
                  help='libvirt URI of the local hypervisor.'),
    config.StrOpt('virt_type', default='auto', choices=('auto', 'kvm', 'qemu'),
                  help='Domain type: kvm (hardware acceleration), qemu (TCG emulation) or auto '
                       '(kvm when a probe guest runs under /dev/kvm at start, else qemu).'),
    config.StrOpt('instances_path', default='/var/lib/cirrostack/compute/instances',
                  help='Directory of the servers\' disks, config drives and console logs.'),
    config.StrOpt('image_cache_path', default=None,
                  help='Directory of the image cache (default: <instances_path>/_base).'),
    config.IntOpt('image_cache_min_age', default=86400, min=0,
                  help='Seconds an unused cached image is kept before it is removed.'),
    config.StrOpt('cpu_mode', default='host-model',
                  choices=('host-model', 'host-passthrough', 'custom', 'none'),
                  help='Guest CPU with virt_type kvm (TCG guests get QEMU\'s default CPU).'),
    config.StrOpt('cpu_model', default=None, help='CPU model when cpu_mode is custom.'),
    config.StrOpt('machine_type', default='pc',
                  help='Machine type when the image does not ask for one (pc or q35).'),
    config.StrOpt('vnc_listen', default='127.0.0.1',
                  help='Address the guests\' VNC servers listen on (the console proxy connects '
                       'there).'),
    config.BoolOpt('force_config_drive', default=False,
                   help='Give every server a config drive, asked for or not.'),
    config.StrOpt('dhcp_domain', default='novalocal',
                  help='Domain appended to host names in the metadata documents.'),
    config.StrOpt('iscsi_initiator_iqn', default=None,
                  help='iSCSI initiator name of this host (default: open-iscsi\'s, else one '
                       'derived from the host name).'),
    config.StrOpt('my_ip', default='127.0.0.1',
                  help='Address block storage sees this host at (volume connector).'),
    config.IntOpt('shutdown_timeout', default=60, min=0,
                  help='Seconds a guest gets to shut down cleanly before it is powered off.'),
    config.IntOpt('device_detach_timeout', default=20, min=1,
                  help='Seconds to wait for a guest to release a hot-unplugged device.'),
    config.IntOpt('kvm_probe_timeout', default=10, min=1,
                  help='Seconds the KVM probe guest may take (virt_type auto).'),
]


@dataclasses.dataclass
class LibvirtSettings:
    connection_uri: str = 'qemu:///system'
    virt_type: str = 'auto'
    instances_path: str = '/var/lib/cirrostack/compute/instances'
    image_cache_path: typing.Optional[str] = None
    image_cache_min_age: int = 86400
    cpu_mode: str = 'host-model'
    cpu_model: typing.Optional[str] = None
    machine_type: str = 'pc'
    vnc_listen: str = '127.0.0.1'
    force_config_drive: bool = False
    dhcp_domain: str = 'novalocal'
    iscsi_initiator_iqn: typing.Optional[str] = None
    my_ip: str = '127.0.0.1'
    shutdown_timeout: int = 60
    device_detach_timeout: int = 20
    kvm_probe_timeout: int = 10

    @classmethod
    def from_conf(cls, conf, group='libvirt'):
        section = getattr(conf, group)
        return cls(**{f.name: getattr(section, f.name) for f in dataclasses.fields(cls)})


def register_opts(conf, group='libvirt'):
    conf.register_opts(OPTS, group=group)
