"""compute-metadata: the OpenStack and EC2 metadata documents of a server, answered to
guests through the network service's metadata proxy (which signs the instance id)."""
from common import config

OPTS = [
    config.StrOpt('metadata_proxy_shared_secret', default='', secret=True,
                  help='Secret shared with the network metadata agent: it signs the instance '
                       'id of every request (HMAC-SHA256). Empty: no request is answered.'),
    config.StrOpt('metadata_listen', default='0.0.0.0',
                  help='Address compute-metadata listens on.'),
    config.PortOpt('metadata_listen_port', default=8775, help='Port of compute-metadata.'),
    config.StrOpt('dhcp_domain', default='novalocal',
                  help='Domain of the guests\' host names in their metadata.'),
]


def register_opts(conf):
    conf.register_opts(OPTS, group='metadata')
