from apps.accounts.tenancy import owned
from apps.crm.models import CrmConnection, CrmDelivery


def connection_of(*, workspace) -> CrmConnection | None:
    return owned(CrmConnection, workspace=workspace).first()


def recent_deliveries(*, workspace, limit: int = 50):
    return (
        owned(CrmDelivery, workspace=workspace)
        .select_related("lead__commenter")
        .order_by("-created_at", "-id")[:limit]
    )
