"""The current account (``me/``), roles, and role grants on organization nodes."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from bastion.core.api import ScopedViewSetMixin
from bastion.core.filters import ScopedFilterSet, WithinFilter

from .. import services
from ..models import Person, Role, RoleAssignment
from .serializers import MeSerializer, RoleAssignmentSerializer, RoleSerializer


class RoleAssignmentFilter(ScopedFilterSet):
    user = django_filters.NumberFilter(field_name="user_id", label=_("账号编号"))
    role = django_filters.CharFilter(field_name="role__code", label=_("角色代码"))
    within = WithinFilter(label=_("授权组织（含下级）"))

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "within"]


class MeView(GenericAPIView):
    serializer_class = MeSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(summary=_("当前账号：本人信息与角色授权"))
    def get(self, request):
        user = request.user
        person = Person.objects.filter(user=user).select_related("organization", "party_group")
        person = person.first()
        payload = {
            "id": user.pk,
            "username": user.username,
            "full_name": user.get_full_name(),
            "display_name": user.display_name,
            "email": user.email,
            "is_superuser": user.is_superuser,
            "person": person,
            "role_assignments": user.role_assignments.select_related(
                "user__person__organization", "role", "organization"
            ),
        }
        return Response(MeSerializer(payload, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary=_("角色列表")), retrieve=extend_schema(summary=_("角色详情"))
)
class RoleViewSet(viewsets.ReadOnlyModelViewSet):
    # Roles are configuration, not data of a subtree: every account may read them.

    queryset = Role.objects.all()
    serializer_class = RoleSerializer
    filter_backends: list = []


@extend_schema_view(
    list=extend_schema(summary=_("角色授权列表")),
    retrieve=extend_schema(summary=_("角色授权详情")),
    create=extend_schema(
        summary=_("授予角色"),
        responses={201: RoleAssignmentSerializer, 403: OpenApiResponse(description=_("无权授予"))},
    ),
    destroy=extend_schema(summary=_("撤销角色授权")),
)
class RoleAssignmentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = RoleAssignment.objects.all()
    serializer_class = RoleAssignmentSerializer
    filterset_class = RoleAssignmentFilter

    def decorate_queryset(self, queryset):
        return queryset.select_related("user__person__organization", "role", "organization")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.role_assign(actor=request.user, **serializer.validated_data)
        assignment = self.scoped_queryset("view").get(pk=assignment.pk)
        return Response(self.get_serializer(assignment).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.role_revoke(actor=request.user, assignment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
