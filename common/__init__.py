"""Mechanisms every service shares: config, WSGI, DB, RPC, auth, policy, launcher, clients."""
import warnings

# The design fixes eventlet for the daemons; its import-time deprecation notice is noise.
warnings.filterwarnings('ignore', message=r'(?s).*Eventlet is deprecated')
