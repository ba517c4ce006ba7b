"""The maps of the year report on its page: drawn on the server from the stored shapes."""

from django import template

from reports.maps import model_maps

register = template.Library()


@register.simple_tag(takes_context=True)
def report_model_maps(context, model):
    """The drawn maps of one score model of the report (``ModelScores``), read with the
    rights of the person the page is for."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not model.maps:
        return []
    return model_maps(model, user=user)
