"""Back-office pages that start imports (the work itself runs as a background job)."""

from django.shortcuts import redirect, render

from essor.core.permissions import agency_required
from essor.directory.sirene.forms import SireneImportForm
from essor.directory.sirene.tasks import enqueue_sirene_import


@agency_required
def sirene_import(request):
    form = SireneImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = enqueue_sirene_import(
            establishments=form.cleaned_data["etablissements"],
            legal_units=form.cleaned_data["unites_legales"],
            geolocation=form.cleaned_data["geolocalisation"],
            territory=form.cleaned_data["territoire"],
            stock_date=form.cleaned_data["date"],
            user=request.user,
        )
        return redirect("core:job_detail", pk=job.pk)
    return render(request, "directory/imports/sirene.html", {"form": form})
