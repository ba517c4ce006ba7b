"""Template filters for the numbers on the agreement pages (see ``agreements.formatting``):
``{% load agreement_tags %}``, ``{{ value|number }}``, ``{{ value|amount:unit }}`` and
``{{ value|quantity:unit }}``."""

from django import template

from agreements.formatting import format_amount, format_number, format_quantity

register = template.Library()


@register.filter
def number(value):
    """45.000 · 45.000,50 · −12,5"""
    return format_number(value)


@register.filter
def quantity(value, unit=""):
    """150 sociale huurwoningen · € 45.000"""
    return format_quantity(value, unit)


@register.filter
def amount(value, unit=""):
    """A number in a column of ``unit``: 150 · € 45.000"""
    return format_amount(value, unit)
