"""The audit log in French: {{ entry.action|audit_label }}, {{ value|audit_value }}."""

from django import template

from essor.core import audit

register = template.Library()


@register.filter
def audit_label(code):
    return audit.action_label(code)


@register.filter
def audit_value(value):
    return audit.display_value(value)
