"""Forms of the accounts pages: they validate input; services do the writes."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.template import loader

from essor.accounts import selectors
from essor.accounts.models import Role, User
from essor.core import notifications
from essor.core.mail import send_later

EMAIL_MAX_LENGTH = 254


class LoginForm(auth_forms.AuthenticationForm):
    """E-mail sign-in. Failures are counted by django-axes (see essor.accounts.throttling), whose
    backend refuses a locked (address, account) pair before the password is checked."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": (
            "Adresse électronique ou mot de passe incorrect. "
            "Vérifiez votre saisie (les majuscules comptent dans le mot de passe)."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Adresse électronique"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "maxlength": EMAIL_MAX_LENGTH}
        )
        self.fields["password"].label = "Mot de passe"

    def clean_username(self):
        # AuthenticationForm sets the field's max_length after its validators were built: nothing
        # checks it, and the login-failure log (django-axes) keeps at most 255 characters.
        username = self.cleaned_data.get("username") or ""
        if len(username) > EMAIL_MAX_LENGTH:
            raise forms.ValidationError(
                f"Une adresse électronique compte au plus {EMAIL_MAX_LENGTH} caractères.",
                code="max_length",
            )
        return selectors.normalize_email(username)


class NewPasswordMixin(auth_forms.SetPasswordMixin):
    password1, password2 = auth_forms.SetPasswordMixin.create_password_fields(
        label1="Mot de passe", label2="Confirmation du mot de passe"
    )

    def check_passwords(self, user: User) -> None:
        self.validate_passwords()
        self.validate_password_for_user(user)


class SignUpForm(forms.Form):
    """First step of a sign-up: the address the link to create the account is sent to."""

    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self):
        return selectors.normalize_email(self.cleaned_data["email"])


class NewAccountForm(NewPasswordMixin, forms.Form):
    """A new person's name and password, for an address proven by an e-mailed link (a sign-up's or
    an invitation's)."""

    full_name = forms.CharField(
        label="Nom complet",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1, password2 = NewPasswordMixin.password1, NewPasswordMixin.password2

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        self.check_passwords(User(email=self.email, full_name=cleaned.get("full_name", "")))
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique de la personne invitée",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label="Rôle")

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]

    def clean_email(self):
        return selectors.normalize_email(self.cleaned_data["email"])


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Nouveau rôle", choices=Role.choices)


class PasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Adresse électronique"

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Django's message, queued like every e-mail of Essor (`core.mail.send_later`)."""
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else None
        )
        send_later(subject=subject, body=body, to=[to_email], from_email=from_email, html=html)


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Nouveau mot de passe"
        self.fields["new_password2"].label = "Confirmation du nouveau mot de passe"


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Mot de passe actuel"
        self.fields["new_password1"].label = "Nouveau mot de passe"
        self.fields["new_password2"].label = "Confirmation du nouveau mot de passe"


class EmailPreferencesForm(forms.Form):
    """The optional kinds of e-mail the person receives (ticked: received)."""

    received = forms.MultipleChoiceField(
        label="Courriels que vous recevez",
        help_text="Décochez ceux que vous ne voulez plus recevoir.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "« %(value)s » n'est pas un type de courriel proposé."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received"].choices = [
            (category.code, f"{category.label} ({category.audience})")
            for category in notifications.optional_categories()
        ]
