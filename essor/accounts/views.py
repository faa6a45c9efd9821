"""Accounts pages: thin views over forms, selectors and services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from essor.accounts import forms, selectors, services, throttling
from essor.accounts.models import Invitation, Membership, Role, organisation_model
from essor.core import notifications
from essor.core.forms import run_service
from essor.core.navigation import entries_for
from essor.core.permissions import (
    administered_organisation_ids,
    can_admin_organisation,
    is_agency_member,
    login_required,
)

# --- Authentication (Django's views, French templates, our forms) -------------------------------

# The backend that checks passwords (the first one, django-axes', only refuses locked sign-ins).
SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"

login_view = auth_views.LoginView.as_view(
    template_name="accounts/login.html", authentication_form=forms.LoginForm
)
logout_view = auth_views.LogoutView.as_view()
TOO_MANY_EMAILS = (
    "Trop de demandes de courriel en peu de temps pour cette adresse électronique ou depuis "
    "votre connexion. Réessayez dans %(minutes)s minutes ; si vous avez déjà reçu un courriel, "
    "utilisez le lien qu'il contient."
)


def _email_allowed(request, form) -> bool:
    """Count the e-mail the form asks for; when over the limit, say so on the form."""
    if throttling.allow_account_email(
        client_address=throttling.client_ip(request), recipient=form.cleaned_data["email"]
    ):
        return True
    form.add_error(None, TOO_MANY_EMAILS % {"minutes": settings.ACCOUNT_EMAIL_LIMIT_MINUTES})
    return False


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, which answers the same whether or not the address has an account, with the
    e-mails limited and their link built on SITE_URL (never on the request's Host header)."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = forms.PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        if not _email_allowed(self.request, form):
            return self.render_to_response(self.get_context_data(form=form), status=429)
        self.extra_email_context = {
            "platform_name": settings.ESSOR_PLATFORM_NAME,
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        return super().form_valid(form)


password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = forms.SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The lockout page offers this way out: a new password unlocks the account everywhere.
        services.clear_login_lockouts(email=self.user.email)
        return response


password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


def locked_out(request, original_response=None, credentials=None):
    """What django-axes answers (AXES_LOCKOUT_CALLABLE) once an (address, account) pair is locked.

    Every refused attempt restarts the cool-off, so the wait is always the whole of it."""
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
        status=429,
    )


password_change = login_required(
    auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change_form.html",
        form_class=forms.PasswordChangeForm,
        success_url=reverse_lazy("accounts:password_change_done"),
    )
)
password_change_done = login_required(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)


def signup(request):
    """First step: whatever the address, the answer is « check your mailbox » (see
    services.request_sign_up)."""
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = forms.SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not _email_allowed(request, form):
            return render(request, "accounts/signup.html", {"form": form}, status=429)
        services.request_sign_up(email=form.cleaned_data["email"])
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


def signup_done(request):
    return render(
        request, "accounts/signup_done.html", {"valid_hours": settings.SIGNUP_LINK_VALID_HOURS}
    )


def signup_confirm(request, token):
    """Second step, from the e-mailed link: the person chooses a name and a password."""
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    try:
        email = selectors.email_for_sign_up_token(token)
    except signing.SignatureExpired:
        return _sign_up_link_invalid(request, "expired", status=410)
    except signing.BadSignature:
        return _sign_up_link_invalid(request, "unknown", status=404)
    if selectors.user_exists(email):
        return _sign_up_link_invalid(request, "used", status=410)
    form = forms.NewAccountForm(request.POST or None, email=email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_up(
                email=email,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError:
            return _sign_up_link_invalid(request, "used", status=410)
        login(request, user, backend=SIGN_IN_BACKEND)
        messages.success(request, "Votre compte est créé. Bienvenue !")
        return redirect("accounts:dashboard")
    return render(request, "accounts/signup_confirm.html", {"form": form, "email": email})


def _sign_up_link_invalid(request, reason: str, *, status: int):
    return render(request, "accounts/signup_invalid.html", {"reason": reason}, status=status)


# --- Personal space ------------------------------------------------------------------------------


@login_required
def dashboard(request):
    administered = administered_organisation_ids(request.user)
    agency = is_agency_member(request.user)
    entries = [
        {
            "membership": membership,
            "members_url": (
                reverse("accounts:members", kwargs={"pk": membership.organisation_id})
                if agency or membership.organisation_id in administered
                else None
            ),
            "edit_url": (
                reverse("directory:profile_edit", kwargs={"pk": membership.organisation_id})
                if membership.organisation_id in administered
                else None
            ),
            # Only ESS structures in the directory have a public page (not the agency, funders).
            "public_url": (
                reverse("directory:organisation", kwargs={"pk": membership.organisation_id})
                if membership.organisation.is_public
                else None
            ),
        }
        for membership in selectors.memberships_of(request.user)
    ]
    return render(
        request,
        "accounts/dashboard.html",
        {
            "entries": entries,
            "claims": selectors.claims_of(request.user),
            "workspaces": entries_for(request.user, is_agency=agency, place="dashboard"),
            "staff_home_url": reverse("directory:staff_home") if agency else None,
        },
    )


@login_required
def notification_preferences(request):
    """« Mes notifications »: the optional e-mails the person receives (all by default), and the
    list of those always sent. In-app notifications are written whatever is chosen here."""
    refused = notifications.refused_categories(request.user)
    received = [
        category.code
        for category in notifications.optional_categories()
        if category.code not in refused
    ]
    # Every box unticked posts no field at all: the form is bound to any POST.
    form = forms.EmailPreferencesForm(
        request.POST if request.method == "POST" else None, initial={"received": received}
    )
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            form,
            services.set_email_preferences,
            user=request.user,
            received=form.cleaned_data["received"],
        )
        if saved:
            messages.success(request, "Vos choix de courriels sont enregistrés.")
            return redirect("accounts:notification_preferences")
    return render(
        request,
        "accounts/notification_preferences.html",
        {"form": form, "mandatory": notifications.mandatory_categories()},
    )


# --- Members and invitations --------------------------------------------------------------------


def _organisation_admin_or_403(request, pk):
    organisation = get_object_or_404(organisation_model(), pk=pk)
    if not can_admin_organisation(request.user, organisation):
        raise PermissionDenied("Vous n'avez pas accès aux membres de cette structure.")
    return organisation


@login_required
def members(request, pk):
    organisation = _organisation_admin_or_403(request, pk)
    roles = selectors.grantable_roles(request.user, organisation)
    member_rows = [
        {
            "membership": membership,
            "manageable": membership.role in roles,
            "role_choices": [(role, Role(role).label) for role in roles],
        }
        for membership in selectors.members_of(organisation)
    ]
    return render(
        request,
        "accounts/members.html",
        {
            "organisation": organisation,
            "member_rows": member_rows,
            "invitations": selectors.pending_invitations(organisation),
            "can_manage": bool(roles),
        },
    )


@login_required
def invite(request, pk):
    organisation = _organisation_admin_or_403(request, pk)
    roles = selectors.grantable_roles(request.user, organisation)
    if not roles:
        raise PermissionDenied("Vous ne pouvez pas inviter de membres dans cette structure.")
    form = forms.InvitationForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        sent = run_service(
            form,
            services.invite,
            actor=request.user,
            organisation=organisation,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
        )
        if sent:
            messages.success(request, f"L'invitation a été envoyée à {sent.result.email}.")
            return redirect("accounts:members", pk=organisation.pk)
    return render(
        request,
        "accounts/invite.html",
        {
            "organisation": organisation,
            "form": form,
            "valid_days": settings.INVITATION_VALID_DAYS,
        },
    )


def _report(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
@login_required
def revoke_invitation(request, pk):
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), pk=pk)
    if not selectors.can_manage_members(request.user, invitation.organisation):
        raise PermissionDenied("Vous ne pouvez pas gérer les invitations de cette structure.")
    try:
        services.revoke_invitation(actor=request.user, invitation=invitation)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, f"L'invitation de {invitation.email} a été annulée.")
    return redirect("accounts:members", pk=invitation.organisation_id)


def _managed_membership_or_403(request, pk) -> Membership:
    membership = get_object_or_404(Membership.objects.select_related("organisation", "user"), pk=pk)
    if not selectors.can_manage_members(request.user, membership.organisation):
        raise PermissionDenied("Vous ne pouvez pas gérer les membres de cette structure.")
    return membership


@require_POST
@login_required
def change_role(request, pk):
    membership = _managed_membership_or_403(request, pk)
    form = forms.RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Rôle inconnu : choisissez un rôle dans la liste.")
    else:
        try:
            services.change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            _report(request, error)
        else:
            messages.success(request, f"Le rôle de {membership.user} a été modifié.")
    return redirect("accounts:members", pk=membership.organisation_id)


@require_POST
@login_required
def remove_member(request, pk):
    membership = _managed_membership_or_403(request, pk)
    try:
        services.remove_member(actor=request.user, membership=membership)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, f"{membership.user} ne fait plus partie de la structure.")
    return redirect("accounts:members", pk=membership.organisation_id)


def accept_invitation(request, token):
    """Unknown token: 404; used, revoked or expired: 410; both with a French explanation."""
    invitation = selectors.invitation_for_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", {"reason": None}, status=404)
    state = selectors.invitation_state(invitation)
    if state != "pending":
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"reason": services.INVALID_INVITATION_MESSAGES[state], "invitation": invitation},
            status=410,
        )
    context = {"invitation": invitation}
    user = request.user
    if user.is_authenticated:
        context["wrong_account"] = user.email.lower() != invitation.email.lower()
        if request.method == "POST" and not context["wrong_account"]:
            return _accept(request, invitation, user=user)
        return render(request, "accounts/accept_invitation.html", context)
    if selectors.user_exists(invitation.email):
        context["must_log_in"] = True
        return render(request, "accounts/accept_invitation.html", context)
    form = forms.NewAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        response = _accept(
            request,
            invitation,
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
        )
        if response:
            return response
    context["form"] = form
    return render(request, "accounts/accept_invitation.html", context)


def _accept(request, invitation, **kwargs):
    try:
        membership = services.accept_invitation(invitation=invitation, **kwargs)
    except ValidationError as error:
        _report(request, error)
        return redirect("accounts:dashboard") if request.user.is_authenticated else None
    if not request.user.is_authenticated:
        login(request, membership.user, backend=SIGN_IN_BACKEND)
    messages.success(
        request,
        f"Vous avez rejoint {membership.organisation} en tant que "
        f"« {membership.get_role_display()} ».",
    )
    return redirect("accounts:dashboard")
