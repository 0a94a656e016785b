"""The agenda app's REST API: calendar rules, obligations, meetings and dues.

``register(router)`` mounts the viewsets; ``bastion/api_urls.py`` calls it.
"""


def register(router) -> None:
    from .dues import DuesPaymentViewSet
    from .meetings import MeetingViewSet
    from .obligations import ObligationViewSet
    from .rules import RuleViewSet

    router.register("rules", RuleViewSet, basename="rule")
    router.register("obligations", ObligationViewSet, basename="obligation")
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("dues", DuesPaymentViewSet, basename="dues")
