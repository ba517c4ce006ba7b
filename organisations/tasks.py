"""Background jobs for organisations: sending invitation mails."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from core.queueing import mail_task
from organisations.models import Invitation
from organisations.services import invitation_mark_sent, invitation_url


@mail_task()
def invitation_send(self, invitation_id: int) -> None:
    """Mail the invitation link. Does nothing when the invitation is no longer open."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_usable:
        return
    with translation.override("nl"):
        context = {"invitation": invitation, "url": invitation_url(invitation)}
        subject = render_to_string("organisations/email/invitation_subject.txt", context).strip()
        body = render_to_string("organisations/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])
    invitation_mark_sent(invitation_id=invitation.pk)
