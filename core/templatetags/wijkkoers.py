from django import template

register = template.Library()


@register.filter
def minutes(value):
    """Whole minutes of a timedelta (rounded up), for texts such as a lock-out period."""
    if value is None:
        return ""
    seconds = value.total_seconds()
    return int(-(-seconds // 60))
