"""network-bridge-agent: bridges, taps and security groups on every host."""
