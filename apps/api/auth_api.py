"""Signing in for app clients (JWT) and "who am I", outside any one workspace. Workspace
data is always under /api/v1/w/<workspace_slug>/, checked against memberships there."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenViewBase

from apps.accounts.selectors import memberships_of_user
from apps.api.access import limited_by_token
from apps.api.jwt import TokenObtainPairSerializer, TokenRefreshSerializer, TokenRevokeSerializer
from apps.api.models import ApiToken
from apps.api.serializers import MeSerializer
from apps.api.throttles import SignInRateThrottle


@extend_schema(
    tags=["sign-in"],
    summary="Sign in: get an access and a refresh token",
    description=(
        "The access token (5 minutes) goes in `Authorization: Bearer …`; the refresh token "
        "(7 days) gets new ones. With two-factor authentication on, send the code as `otp`."
    ),
)
class TokenObtainView(TokenViewBase):
    serializer_class = TokenObtainPairSerializer
    throttle_classes = [SignInRateThrottle]


@extend_schema(
    tags=["sign-in"],
    summary="Get a new access token and a new refresh token",
    description="The refresh token sent is blacklisted: use the new one next time.",
)
class TokenRefreshView(TokenViewBase):
    serializer_class = TokenRefreshSerializer


@extend_schema(
    tags=["sign-in"],
    summary="Sign out: revoke a refresh token",
    responses={204: None},
)
class TokenRevokeView(TokenViewBase):
    serializer_class = TokenRevokeSerializer

    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["sign-in"], summary="Who you are and your workspaces", responses=MeSerializer)
class MeView(APIView):
    def get(self, request):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        memberships = memberships_of_user(user=request.user)
        if token is not None:  # a personal token sees only its own workspace
            memberships = [m for m in memberships if m.workspace_id == token.workspace_id]
        workspaces = []
        for membership in memberships:
            membership = limited_by_token(membership, token)
            workspaces.append(
                {
                    "slug": membership.workspace.slug,
                    "name": membership.workspace.name,
                    "role": membership.role,
                }
            )
        user = request.user
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "email": user.email,
                    "name": user.display_name,
                    "workspaces": workspaces,
                }
            ).data
        )
