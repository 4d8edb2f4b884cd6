"""The service logic behind the API and the agent RPC: one module per resource.

``Core`` holds what every manager needs (config, database, agent notifier) and the
managers themselves, so a manager can reach another (ports need networks, routers need
ports) without import cycles.
"""
from network.plugin.core import Core  # noqa: F401
