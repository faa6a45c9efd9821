"""`{% legal_info as legal %}`: the settings the legal pages show (publisher, host, retention)."""

from datetime import date

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def legal_info() -> dict:
    try:
        statement_date = date.fromisoformat(settings.ESSOR_ACCESSIBILITY_STATEMENT_DATE)
    except ValueError:
        statement_date = None
    return {
        "agency_name": settings.ESSOR_AGENCY_NAME,
        "agency_address": settings.ESSOR_AGENCY_ADDRESS,
        "contact_email": settings.ESSOR_CONTACT_EMAIL,
        "publication_director": settings.ESSOR_PUBLICATION_DIRECTOR,
        "dpo_contact": settings.ESSOR_DPO_CONTACT,
        "hosting_provider": settings.ESSOR_HOSTING_PROVIDER,
        "hosting_address": settings.ESSOR_HOSTING_ADDRESS,
        "site_url": settings.SITE_URL,
        "login_lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
        "account_email_limit_minutes": settings.ACCOUNT_EMAIL_LIMIT_MINUTES,
        "invitation_valid_days": settings.INVITATION_VALID_DAYS,
        "accessibility_statement_date": statement_date,
    }
