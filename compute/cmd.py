"""Console-script mains of the compute service: compute-api (8774), compute-metadata
(8775), and the RPC daemons (conductor, scheduler, worker: compute/service.py). API and
metadata refuse to start until ``compute-manage db-sync`` ran."""
import eventlet

eventlet.monkey_patch()

from common import daemon  # noqa: E402

API_PORT = 8774


def _conf():
    from compute.api import consoles
    from compute.conf import CONF
    consoles.register_opts(CONF)   # idempotent; [vnc] of a shared compute.conf
    return CONF


def api_main(argv=None):
    """compute-api: the REST API (/v2.1) on port 8774."""
    from compute.state import ComputeState
    daemon.run_api(_conf(), 'compute', API_PORT, argv, state=ComputeState)


def metadata_main(argv=None):
    """compute-metadata: the guests' metadata documents on port 8775."""
    from common.wsgi import middleware
    from common.wsgi import server
    from compute.metadata import app as metadata_app
    from compute.state import ComputeState
    conf = _conf()

    def services():
        app = middleware.RequestId(metadata_app.MetadataApp(conf, ComputeState.get(conf).db))
        return [server.WSGIService('compute-metadata', app, conf.metadata.metadata_listen,
                                   conf.metadata.metadata_listen_port)]
    daemon.run(conf, 'compute', 'compute-metadata', services, argv, state=ComputeState)


def conductor_main(argv=None):
    from compute import service
    _conf()
    service.conductor_main(argv)


def scheduler_main(argv=None):
    from compute import service
    _conf()
    service.scheduler_main(argv)


def worker_main(argv=None):
    from compute import service
    _conf()
    service.worker_main(argv)


if __name__ == '__main__':
    api_main()
