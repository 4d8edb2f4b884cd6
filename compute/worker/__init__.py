"""compute-worker: one per hypervisor host; runs servers through the virt driver."""
