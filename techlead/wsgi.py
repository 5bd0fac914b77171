import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techlead.settings.prod")
application = get_wsgi_application()

# scikit-learn takes seconds to import (the post linter's near-duplicate check and the lead
# classifier use it). Pay that when the process starts, not on the first user's "Plan my week".
import sklearn.feature_extraction.text  # noqa: E402, F401
