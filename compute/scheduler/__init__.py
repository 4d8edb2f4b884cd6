"""compute-scheduler: picks a host for each server and claims its resources."""
