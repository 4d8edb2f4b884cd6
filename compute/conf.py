"""The compute service's configuration options (shared by every compute daemon)."""
from common import client
from common import config
from common import daemon

CONF = config.ConfigOpts()

COMPUTE_OPTS = [
    config.StrOpt('compute_driver', default='libvirt',
                  help='Virt driver of compute-worker: libvirt or fake (tests only).'),
    config.StrOpt('default_availability_zone', default='nova',
                  help='Availability zone of this worker\'s host (and of servers that ask '
                       'for none).'),
    config.FloatOpt('cpu_allocation_ratio', default=16.0, min=0.0,
                    help='Virtual CPUs the scheduler may place per physical CPU.'),
    config.FloatOpt('ram_allocation_ratio', default=1.5, min=0.0,
                    help='Guest RAM the scheduler may place per MiB of host RAM.'),
    config.FloatOpt('disk_allocation_ratio', default=1.0, min=0.0,
                    help='Guest disk the scheduler may place per GiB of host disk.'),
    config.IntOpt('reserved_host_memory_mb', default=512, min=0,
                  help='Host RAM kept for the host itself.'),
    config.IntOpt('reserved_host_disk_mb', default=0, min=0,
                  help='Host disk kept for the host itself.'),
    config.IntOpt('vif_plugging_timeout', default=300, min=0,
                  help='Seconds the worker waits for network-vif-plugged before the build '
                       'fails (0: do not wait).'),
    config.IntOpt('power_sync_interval', default=60, min=1,
                  help='Seconds between reconciliations of power states with the hypervisor.'),
    config.IntOpt('resource_report_interval', default=30, min=1,
                  help='Seconds between reports of the host\'s resources to the conductor.'),
    config.IntOpt('shutdown_timeout', default=60, min=0,
                  help='Seconds a guest gets to shut down cleanly on stop.'),
    config.IntOpt('shelved_offload_time', default=0, min=-1,
                  help='Seconds a shelved server keeps its host before it is offloaded '
                       '(0: at once, as Nova; -1: never).'),
    config.IntOpt('shelved_poll_interval', default=3600, min=1,
                  help='Seconds between checks for shelved servers due for offloading.'),
    config.IntOpt('max_servers_per_request', default=50, min=1,
                  help='Largest max_count accepted by one create request.'),
    config.StrOpt('instance_name_template', default='instance-%s',
                  help='Domain name of a server (%s: its UUID).'),
    config.IntOpt('volume_create_timeout', default=300, min=1,
                  help='Seconds a build waits for block storage to make a volume it asked '
                       'for (from an image or blank) available before the server goes '
                       'ERROR.'),
]

SCHEDULER_OPTS = [
    config.IntOpt('max_attempts', default=3, min=1,
                  help='Hosts a build is tried on before the server goes ERROR.'),
    config.ListOpt('enabled_filters',
                   default=['ComputeFilter', 'AvailabilityZoneFilter', 'RamFilter',
                            'DiskFilter', 'CoreFilter', 'ImagePropertiesFilter',
                            'ServerGroupAffinityFilter', 'ServerGroupAntiAffinityFilter'],
                   help='Filters a host must pass, in order.'),
    config.FloatOpt('ram_weight_multiplier', default=1.0,
                    help='Weight of free RAM (negative: stack servers).'),
    config.FloatOpt('cpu_weight_multiplier', default=1.0, help='Weight of free vCPUs.'),
    config.FloatOpt('disk_weight_multiplier', default=1.0, help='Weight of free disk.'),
    config.FloatOpt('soft_affinity_weight_multiplier', default=1.0,
                    help='Weight of soft-affinity server groups.'),
    config.FloatOpt('soft_anti_affinity_weight_multiplier', default=1.0,
                    help='Weight of soft-anti-affinity server groups.'),
    config.IntOpt('host_subset_size', default=1, min=1,
                  help='Pick randomly among this many best hosts (spreads concurrent boots).'),
]

# [service_user] holds the standard service-user options (common.client) plus one
# endpoint override per service called.
ENDPOINT_OPTS = [
    config.StrOpt('image_endpoint', default=None,
                  help='Image API URL (skips the catalog; tests).'),
    config.StrOpt('network_endpoint', default=None,
                  help='Network API URL (skips the catalog; tests).'),
    config.StrOpt('volume_endpoint', default=None,
                  help='Block storage API URL without the project (http://host:8776/v3; '
                       'skips the catalog; tests).'),
]


def register(conf):
    daemon.register_api_opts(conf)
    conf.register_opts(COMPUTE_OPTS, group='compute')
    conf.register_opts(SCHEDULER_OPTS, group='scheduler')
    client.register_service_user_opts(conf, 'service_user')
    conf.register_opts(ENDPOINT_OPTS, group='service_user')
    from compute.drivers.libvirt import settings
    settings.register_opts(conf)
    from compute import metadata
    metadata.register_opts(conf)


register(CONF)
