"""network-metadata-agent: 169.254.169.254 for guests, signed and forwarded to compute."""
