"""``notifications/``: the requester's own inbox over the API (anyone else's message is 404).

``GET notifications/`` (``?unread=1`` for the unread ones), ``GET notifications/{id}/``,
``POST notifications/{id}/read/`` and ``POST notifications/read-all/``.
``register(router)`` mounts it; ``bastion/api_urls.py`` calls it.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from bastion.core.api_docs import NOT_FOUND

from . import selectors
from .models import Notification
from .services import notification_mark_read, notifications_mark_all_read

TRUE_VALUES = {"1", "true", "yes", "on"}


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField(help_text=_("尚未阅读"))
    actor = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text=_("发起人用户名（系统消息为空）"),
    )
    actor_display_name = serializers.CharField(
        source="actor.display_name", read_only=True, default="", help_text=_("发起人姓名")
    )

    class Meta:
        model = Notification
        fields = ["id", "event", "level", "title", "body", "url", "items", "digest_on"]
        fields += ["actor", "actor_display_name", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("本次标为已读的条数"))


UNREAD = OpenApiParameter(
    "unread",
    OpenApiTypes.BOOL,
    description=_("为 1 时只列出未读的通知"),
    required=False,
)


@extend_schema_view(
    list=extend_schema(
        summary=_("我的通知"),
        description=_("当前账号收到的通知，未读在前、新的在前；只含本人的通知。"),
        parameters=[UNREAD],
    ),
    retrieve=extend_schema(
        summary=_("通知详情"),
        description=_("只能查看本人的通知；读取详情不会标为已读。"),
        responses={200: NotificationSerializer, 404: NOT_FOUND},
    ),
)
class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # the model, for the schema

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        queryset = selectors.inbox(self.request.user).select_related("actor__person")
        if self.action == "list":
            flag = (self.request.query_params.get("unread") or "").strip().lower()
            if flag in TRUE_VALUES:
                queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(
        summary=_("标为已读"),
        description=_("将本人的一条通知标为已读（已读的保持首次阅读时间）；他人的通知为 404。"),
        request=None,
        responses={200: NotificationSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        notification_mark_read(actor=request.user, notification=notification)
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary=_("全部标为已读"),
        description=_("将本人所有未读通知标为已读，返回本次标记的条数。"),
        request=None,
        responses={200: ReadAllSerializer},
    )
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request):
        return Response({"marked": notifications_mark_all_read(actor=request.user)})


def register(router) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
