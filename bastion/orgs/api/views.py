"""Organization and people viewsets: reads through the scope door, writes through services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import FORBIDDEN, NOT_FOUND

from .. import selectors, services
from ..filters import OrganizationFilter, PersonFilter
from ..models import Organization, Person
from .excel import PersonExcelMixin
from .serializers import (
    OrganizationCreateSerializer,
    OrganizationMoveSerializer,
    OrganizationSerializer,
    PersonSerializer,
    with_parent_id,
)

# Query parameters that leave a people list a whole subtree (see PersonViewSet.paginate_queryset).
UNFILTERED = {"page", "page_size", "within", "format"}


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Create, update and delete go through the app's services; the answer is re-read in scope."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def reread(self, obj):
        return self.scoped_queryset("view").get(pk=obj.pk)

    def respond(self, obj, status_code=status.HTTP_200_OK):
        serializer = self.get_response_serializer(self.reread(obj))
        return Response(serializer.data, status=status_code)

    def get_response_serializer(self, instance):
        return self.serializer_class(instance, context=self.get_serializer_context())


@extend_schema_view(
    list=extend_schema(summary=_("组织列表")),
    retrieve=extend_schema(
        summary=_("组织详情"), responses={200: OrganizationSerializer, 404: NOT_FOUND}
    ),
    update=extend_schema(
        summary=_("修改组织"), responses={200: OrganizationSerializer, 403: FORBIDDEN}
    ),
    partial_update=extend_schema(
        summary=_("修改组织（部分字段）"), responses={200: OrganizationSerializer, 403: FORBIDDEN}
    ),
    destroy=extend_schema(summary=_("删除组织（须无下级组织和人员）")),
)
class OrganizationViewSet(ScopedModelViewSet):
    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter

    def decorate_queryset(self, queryset):
        return with_parent_id(queryset)

    def get_serializer_class(self):
        if self.action == "create":
            return OrganizationCreateSerializer
        if self.action == "move":
            return OrganizationMoveSerializer
        return OrganizationSerializer

    @extend_schema(
        summary=_("新建组织"),
        request=OrganizationCreateSerializer,
        responses={201: OrganizationSerializer, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        parent = data.pop("parent")
        org = services.organization_create(actor=request.user, parent=parent, data=data)
        return self.respond(org, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        organization = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = self.get_serializer(organization, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.organization_update(
            actor=request.user, organization=organization, data=dict(serializer.validated_data)
        )
        return self.respond(organization)

    def destroy(self, request, *args, **kwargs):
        services.organization_delete(actor=request.user, organization=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("移动组织（连同全部下级）"),
        request=OrganizationMoveSerializer,
        responses={200: OrganizationSerializer, 400: None, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], scope_action="move")
    def move(self, request, pk=None):
        organization = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new_parent = serializer.validated_data["parent"]
        try:
            services.organization_move(
                actor=request.user, organization=organization, new_parent=new_parent
            )
        except DjangoValidationError as exc:
            # "not under itself", "not the root": both are about the chosen parent.
            raise ValidationError({"parent": exc.messages}) from exc
        return self.respond(organization)


@extend_schema_view(
    list=extend_schema(summary=_("人员列表")),
    retrieve=extend_schema(
        summary=_("人员详情"), responses={200: PersonSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(summary=_("新增人员"), responses={201: PersonSerializer, 403: FORBIDDEN}),
    update=extend_schema(summary=_("修改人员"), responses={200: PersonSerializer, 403: FORBIDDEN}),
    partial_update=extend_schema(
        summary=_("修改人员（部分字段）"), responses={200: PersonSerializer, 403: FORBIDDEN}
    ),
    destroy=extend_schema(summary=_("删除人员"), responses={204: None, 403: FORBIDDEN}),
)
class PersonViewSet(PersonExcelMixin, ScopedModelViewSet):
    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def decorate_queryset(self, queryset):
        return queryset.select_related("organization", "party_group")

    def scoped_queryset(self, action: str):
        if action != "view" or getattr(self, "swagger_fake_view", False):
            return super().scoped_queryset(action)
        return self.decorate_queryset(selectors.people_visible(self.request.user))

    def paginate_queryset(self, queryset):
        """A whole subtree's page (no filter but ``within``) takes its total from the head
        counts instead of counting every row of the scope."""
        if self.action == "list" and set(self.request.query_params) <= UNFILTERED:
            total = selectors.people_total(self.request.user, self.organization_param())
            if total is not None:
                queryset = selectors.Counted(queryset, total)
        return super().paginate_queryset(queryset)

    def create(self, request, *args, **kwargs):
        self.require_permission_anywhere("add")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = services.person_create(actor=request.user, data=dict(serializer.validated_data))
        return self.respond(person, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        person = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = self.get_serializer(person, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.person_update(
            actor=request.user, person=person, data=dict(serializer.validated_data)
        )
        return self.respond(person)

    def destroy(self, request, *args, **kwargs):
        services.person_delete(actor=request.user, person=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
