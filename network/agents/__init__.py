"""Network agents: turn network-api's desired state into Linux networking on a host."""
