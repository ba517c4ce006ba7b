"""Template filters for numbers with a unit on the agreement pages (see
``agreements.formatting``): ``{% load agreement_tags %}``, ``{{ value|amount:unit }}`` and
``{{ value|quantity:unit }}``. A plain number uses the product's ``number`` filter
(``{% load wijkkoers %}``, ``{{ value|number:-2 }}``)."""

from django import template

from agreements.formatting import format_amount, format_quantity

register = template.Library()


@register.filter
def quantity(value, unit=""):
    """150 sociale huurwoningen · € 45.000"""
    return format_quantity(value, unit)


@register.filter
def amount(value, unit=""):
    """A number in a column of ``unit``: 150 · € 45.000"""
    return format_amount(value, unit)
