"""Account, container and object controllers of the proxy."""
