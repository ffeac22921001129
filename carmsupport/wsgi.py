"""WSGI entry point for the carmsupport project."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carmsupport.settings")

application = get_wsgi_application()
