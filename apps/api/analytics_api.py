"""The dashboard's figures for a period, from apps/analytics/selectors.py."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.analytics import selectors
from apps.api.access import WorkspaceApiAccess
from apps.api.content_api import valid
from apps.api.serializers import AnalyticsQuerySerializer, AnalyticsSummarySerializer


def _group(group) -> dict:
    return {
        "key": group.key,
        "label": str(group.label),
        "posts": group.posts,
        "impressions": group.impressions,
        "engagement": group.engagement,
        "leads": group.leads,
        "converted_value": group.converted_value,
    }


@extend_schema(tags=["analytics"])
class AnalyticsViewSet(WorkspaceApiAccess, viewsets.GenericViewSet):
    serializer_class = AnalyticsSummarySerializer

    @extend_schema(
        summary="Results of a period against the period before",
        parameters=[AnalyticsQuerySerializer],
    )
    @action(detail=False, methods=["get"])
    def summary(self, request, *args, **kwargs):
        days = valid(AnalyticsQuerySerializer, request.query_params)["days"]
        data = selectors.dashboard(workspace=self.workspace, days=days)
        summary = {
            "days": data.days,
            "start": data.start,
            "end": data.end,
            "figures": data.figures,
            "previous": data.previous,
            "deltas": data.deltas,
            "missing_impressions": data.missing_impressions,
            "funnel": [{**stage, "label": str(stage["label"])} for stage in data.funnel],
            "leads_by_week": [{"week": week, "leads": n} for week, n in data.leads_by_week],
            "top_posts": [
                {key: post[key] for key in ("id", "hook", "published_at", "impressions", "leads")}
                for post in data.top_posts
            ],
            "by_framework": [_group(g) for g in data.by_framework],
            "by_template": [_group(g) for g in data.by_template],
        }
        return Response(AnalyticsSummarySerializer(summary).data)
