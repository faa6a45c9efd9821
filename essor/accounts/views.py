from django.shortcuts import render

from essor.core.permissions import login_required


@login_required
def dashboard(request):
    return render(request, "accounts/dashboard.html", {})
