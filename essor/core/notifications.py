"""In-app notifications, for every module: `notify` writes them (and queues the same by e-mail,
sent once the transaction is committed: `core.mail.send_later`); the reads serve the
notifications page and the unread count of its entry on the « Mon espace » dashboard.

    notify(
        users=members,
        message="Votre offre est retenue.",
        url=reverse(...),
        subject="Essor — …",
        category="foodlink.offer",
    )

Every kind of e-mail is a `EmailCategory`, registered by its module (`register_email_category`,
from its `AppConfig.ready()`: core imports no module). An optional kind is sent unless the person
unticked it on « Mes notifications » (`accounts:notification_preferences`; an `EmailOptOut` row);
a mandatory kind (a password reset, an invitation, a correction that blocks a file…) is always
sent, and the page lists it with the reason. The in-app notification is written whatever the
person chose.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from essor.core.formats import number
from essor.core.mail import send_later
from essor.core.models import EmailOptOut, Notification

MESSAGE_LENGTH = Notification._meta.get_field("message").max_length


@dataclass(frozen=True)
class EmailCategory:
    """One kind of e-mail: `label` names it on the preferences page (« Décisions des financeurs
    sur vos demandes »), `audience` says who receives it; a mandatory kind says `why`."""

    code: str
    label: str
    audience: str
    mandatory: bool = False
    why: str = ""
    order: int = 100


_CATEGORIES: dict[str, EmailCategory] = {}


def register_email_category(category: EmailCategory) -> None:
    """Called by a module's `AppConfig.ready()`; the code is `module.kind` (`funding.decision`)."""
    known = _CATEGORIES.get(category.code)
    if known is not None and known != category:
        raise ValueError(f"Le type de courriel « {category.code} » est déjà déclaré autrement.")
    if category.mandatory and not category.why:
        raise ValueError(f"Le courriel obligatoire « {category.code} » doit dire pourquoi.")
    _CATEGORIES[category.code] = category


def email_categories() -> list[EmailCategory]:
    return sorted(_CATEGORIES.values(), key=lambda category: (category.order, category.code))


def optional_categories() -> list[EmailCategory]:
    return [category for category in email_categories() if not category.mandatory]


def mandatory_categories() -> list[EmailCategory]:
    return [category for category in email_categories() if category.mandatory]


def email_category(code: str) -> EmailCategory:
    try:
        return _CATEGORIES[code]
    except KeyError:
        raise ValueError(f"Type de courriel inconnu : « {code} ».") from None


def refused_categories(user) -> set[str]:
    """The optional kinds of e-mail the person unticked (one query)."""
    return set(EmailOptOut.objects.filter(user=user).values_list("category", flat=True))


def _refusing(user_ids, category: EmailCategory) -> set[int]:
    """Who, among these people, refused this kind of e-mail (one query; none for a mandatory
    kind)."""
    if category.mandatory:
        return set()
    return set(
        EmailOptOut.objects.filter(user_id__in=user_ids, category=category.code).values_list(
            "user_id", flat=True
        )
    )


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def _preferences_url() -> str:
    try:
        return _absolute(reverse("accounts:notification_preferences"))
    except NoReverseMatch:  # a project without the accounts pages
        return ""


def _footer(category: EmailCategory | None) -> str:
    """Under an optional e-mail: where to stop receiving it."""
    if category is None or category.mandatory:
        return ""
    where = _preferences_url()
    if not where:
        return ""
    return (
        f"\n-- \nPour ne plus recevoir ce type de courriel (« {category.label} »), décochez-le "
        f"dans vos préférences : {where}\nLa notification restera visible dans Essor.\n"
    )


def notify(*, users, message: str, url: str = "", subject: str = "", category: str = "") -> int:
    """A notification for each person (`None` and repeated people skipped); with a `subject`,
    the same by e-mail after the commit, so that nothing is sent for a refused action, except to
    those who unticked its optional `category`. Returns how many people are notified in Essor.

    The e-mail carries the whole message (the in-app notice is cut to its column's length).
    An e-mail always has its kind: the person's preferences apply to it, or its reason is listed
    on « Mes notifications »."""
    if subject and not category:
        raise ValueError(f"Le courriel « {subject} » doit avoir un type (category).")
    kind = email_category(category) if category else None
    recipients = list({user.pk: user for user in users if user is not None}.values())
    if not recipients:
        return 0
    Notification.objects.bulk_create(
        Notification(user=user, message=message[:MESSAGE_LENGTH], url=url) for user in recipients
    )
    if subject:
        body = f"{message}\n\n{_absolute(url)}\n" if url else f"{message}\n"
        body += _footer(kind)
        refusing = _refusing([user.pk for user in recipients], kind) if kind else set()
        for user in recipients:
            if user.pk not in refusing:
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
