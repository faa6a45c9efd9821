from django.shortcuts import render

from essor.core.permissions import agency_required


@agency_required
def staff_home(request):
    return render(request, "directory/staff/home.html", {})
