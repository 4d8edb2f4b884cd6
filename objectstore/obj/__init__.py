"""Object server and the object consistency daemons."""
