"""The libvirt/QEMU virt driver (driver.py) and the small modules it is built from."""
