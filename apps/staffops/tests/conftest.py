import pytest
from django.test import Client

from apps.accounts.tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_member(db):
    """Staff, but not a superuser: may use the admin pages, may not impersonate."""
    from django.contrib.auth.models import Permission

    user = UserFactory(email="ops@example.com", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="accounts"))
    return user


@pytest.fixture
def admin_client_for(db):
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def root_client(superuser, admin_client_for):
    return admin_client_for(superuser)
