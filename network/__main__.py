"""``python -m network`` runs network-api."""
from network.cmd import api_main

api_main()
