"""Page controllers; each module's add_routes(add, app) connects its paths."""
from dashboard.views import admin
from dashboard.views import auth
from dashboard.views import compute
from dashboard.views import identity
from dashboard.views import images
from dashboard.views import network
from dashboard.views import objects
from dashboard.views import overview
from dashboard.views import topology
from dashboard.views import volumes

ROUTES = [auth, overview, compute, images, network, topology, volumes, objects, identity, admin]
