"""Only wired when BASTION_BENCH is on (see bastion/urls.py)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from .models import SecurityEvent


@login_required
def floor(request):
    """One query, nothing else: the cost of Django, the session and authentication."""
    count = SecurityEvent.objects.filter(user=request.user).count()
    return HttpResponse(f"ok {count}", content_type="text/plain")
