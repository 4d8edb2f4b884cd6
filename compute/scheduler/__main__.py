"""`python -m compute.scheduler`: the compute-scheduler daemon (tests start it this way)."""
import eventlet

eventlet.monkey_patch()

from compute import service  # noqa: E402

service.scheduler_main()
