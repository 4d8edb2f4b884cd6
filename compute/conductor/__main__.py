"""`python -m compute.conductor`: the compute-conductor daemon (tests start it this way)."""
import eventlet

eventlet.monkey_patch()

from compute import service  # noqa: E402

service.conductor_main()
