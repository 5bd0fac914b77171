import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techlead.settings.prod")
application = get_wsgi_application()

# Row-level security binds this process only if it connects as the app's own role: an error
# in the log at start when it does not (apps/core/rls.py; also on /healthz for staff).
from techlead.startup import check_database_role  # noqa: E402

check_database_role("web (WSGI)")

# scikit-learn takes seconds to import (the post linter's near-duplicate check and the lead
# classifier use it). Pay that when the process starts, not on the first user's "Plan my week".
import sklearn.feature_extraction.text  # noqa: E402, F401
