"""What the views of several actors share: the back-office guard and the application lookup."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from essor.core.permissions import require
from essor.funding import access, selectors, services

back_office_required = require(access.can_use_back_office)


def application_or_404(request, pk, *, edit=False):
    """The application for its page, if the user may see it (`edit`: may change it)."""
    application = selectors.application_for_page(pk)
    if application is None:
        raise Http404("Dossier introuvable.")
    funder_org_ids = {s.programme.funder.organisation_id for s in application.shares.all()}
    if not access.can_view_application(request.user, application, funder_org_ids):
        raise PermissionDenied("Vous n'avez pas accès à ce dossier.")
    if edit and not access.is_applicant(request.user, application):
        raise PermissionDenied("Seuls les membres de la structure modifient le dossier.")
    return application


def editable_or_redirect(request, application):
    """None while the applicant may still change the application, else the way back to it."""
    if services.is_editable(application):
        return None
    messages.warning(request, "Ce dossier est déposé : il ne peut plus être modifié.")
    return redirect("funding:application_detail", pk=application.pk)
