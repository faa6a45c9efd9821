"""{% bar_chart labels values title=… unit=… %} and {% line_chart x_labels series title=… %}:
SVG charts from core.charts. Always follow a chart with its data table."""

from django import template
from django.utils.safestring import mark_safe

from essor.core import charts

register = template.Library()


@register.simple_tag  # safe: every text is escaped in core.charts
def bar_chart(labels, values, title="", unit="", places=0):
    return mark_safe(charts.bar_chart(labels, values, title=title, unit=unit, places=places))


@register.simple_tag  # safe: every text is escaped in core.charts
def line_chart(x_labels, series, title="", unit=""):
    return mark_safe(charts.line_chart(x_labels, series, title=title, unit=unit))
