"""WSGI entry point (gunicorn rightresponse.config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rightresponse.config.settings")
application = get_wsgi_application()
