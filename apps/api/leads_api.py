"""Leads: the inbox with filters, one lead with its comments, and pipeline updates through
apps/leads/services.py (audited there, as from the lead page)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.accounts.tenancy import WorkspaceScopedViewSet
from apps.api.access import WorkspaceApiAccess
from apps.api.content_api import valid
from apps.api.serializers import (
    LeadDetailSerializer,
    LeadFilterSerializer,
    LeadSerializer,
    LeadUpdateSerializer,
)
from apps.leads import selectors, services
from apps.leads.models import Lead
from apps.leads.selectors import SORTS


@extend_schema_view(
    list=extend_schema(summary="List leads", parameters=[LeadFilterSerializer]),
    retrieve=extend_schema(summary="Read a lead and the comments that made it"),
    partial_update=extend_schema(
        summary="Update a lead's status, value, notes or follow-up date",
        request=LeadUpdateSerializer,
        responses=LeadDetailSerializer,
    ),
)
@extend_schema(tags=["leads"])
class LeadViewSet(
    WorkspaceApiAccess,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    WorkspaceScopedViewSet,
):
    queryset = Lead.objects.select_related("commenter", "workspace")
    serializer_class = LeadSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "patch", "head", "options"]

    def get_serializer_class(self):
        return LeadSerializer if self.action == "list" else LeadDetailSerializer

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        filters = valid(LeadFilterSerializer, self.request.query_params)
        if filters.get("status"):
            queryset = queryset.filter(status=filters["status"])
        else:
            queryset = queryset.exclude(status=Lead.Status.NOT_A_LEAD)
        if filters.get("intent"):
            queryset = queryset.filter(intent=filters["intent"])
        if filters.get("min_score") is not None:
            queryset = queryset.filter(score__gte=filters["min_score"])
        if filters.get("created_after"):
            queryset = queryset.filter(created_at__date__gte=filters["created_after"])
        if filters.get("created_before"):
            queryset = queryset.filter(created_at__date__lt=filters["created_before"])
        return queryset.order_by(*SORTS[filters["sort"]], "-id")

    def get_object(self):
        lead = super().get_object()
        lead.api_comments = list(selectors.lead_comments(lead=lead))
        return lead

    def partial_update(self, request, *args, **kwargs):
        lead = self.get_object()
        data = valid(LeadUpdateSerializer, request.data)
        try:
            services.lead_update(lead=lead, actor=request.user, fields=set(data), **data)
        except services.LeadError as error:
            raise ValidationError({"non_field_errors": [str(error)]}) from None
        return Response(LeadDetailSerializer(lead).data)
