from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def km2(area_m2):
    """Square metres as square kilometres with two decimals, in the page's locale."""
    if area_m2 is None:
        return ""
    return number_format(area_m2 / 1_000_000, 2)


@register.filter
def percent(share):
    """A share (0–1) as a whole percentage."""
    if share is None:
        return ""
    return f"{round(share * 100)}%"
