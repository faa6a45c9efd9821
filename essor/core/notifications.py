"""In-app notifications, for every module: `notify` writes them (and queues the same by e-mail,
sent once the transaction is committed: `core.mail.send_later`); the reads serve the
notifications page and the unread count of its entry on the « Mon espace » dashboard.

    notify(users=members, message="Votre offre est retenue.", url=reverse(...), subject="Essor — …")
"""

from django.conf import settings
from django.utils import timezone

from essor.core.formats import number
from essor.core.mail import send_later
from essor.core.models import Notification

MESSAGE_LENGTH = Notification._meta.get_field("message").max_length


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def notify(*, users, message: str, url: str = "", subject: str = "") -> int:
    """A notification for each person (`None` and repeated people skipped); with a `subject`,
    the same by e-mail after the commit, so that nothing is sent for a refused action. Returns
    how many people are notified."""
    recipients = list({user.pk: user for user in users if user is not None}.values())
    if not recipients:
        return 0
    Notification.objects.bulk_create(
        Notification(user=user, message=message[:MESSAGE_LENGTH], url=url) for user in recipients
    )
    if subject:
        body = f"{message}\n\n{_absolute(url)}\n" if url else f"{message}\n"
        for user in recipients:
            send_later(subject=subject, body=body, to=[user.email])
    return len(recipients)


def mark_read(*, user, notification_ids=None) -> int:
    """Marks the person's unread notifications read (all, or those of `notification_ids`)."""
    queryset = unread(user)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=notification_ids)
    return queryset.update(read_at=timezone.now())


def of_user(user):
    """The person's notifications, newest first."""
    return Notification.objects.filter(user=user)


def unread(user):
    return of_user(user).filter(read_at__isnull=True)


def unread_count(user) -> int:
    """One indexed count (user, read_at); 0 for anonymous visitors, without a query."""
    if user is None or not user.is_authenticated:
        return 0
    return unread(user).count()


def unread_detail(user) -> str:
    """« 2 non lues » for the dashboard's entry, "" when everything is read."""
    count = unread_count(user)
    if not count:
        return ""
    return f"{number(count)} non lue{'s' if count > 1 else ''}"
