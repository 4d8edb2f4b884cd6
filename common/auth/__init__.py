"""Token signing, offline verification, revocation and the auth middleware."""
