"""`python -m compute.worker`: the compute-worker daemon (tests start it this way)."""
import eventlet

eventlet.monkey_patch()

from compute import service  # noqa: E402

service.worker_main()
