import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techlead.settings.prod")
application = get_asgi_application()

# Row-level security binds this process only if it connects as the app's own role: an error
# in the log at start when it does not (apps/core/rls.py; also on /healthz for staff).
from techlead.startup import check_database_role  # noqa: E402

check_database_role("web (ASGI)")
