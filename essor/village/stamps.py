"""The signed tokens of the stamp rally's QR codes (Django's signing, one key per stand).

Two kinds of QR code, each with its window:

- **rotating**, on a stand's screen (its kiosk page): a token signed now, accepted for
  `ROTATING_WINDOW` seconds after it was signed; the kiosk page shows a new one every
  `KIOSK_REFRESH` seconds, so a photo of the screen sent to a friend is soon worthless;
- **printed for the day**, for a stand without a screen: a token naming the day (Paris time),
  accepted all that day and no other.

A token is signed with the stand's own secret (`StandKey.stamp_secret`) and salted with its
edition: regenerating the secret revokes every code of that stand, and no code of one edition or
stand stamps for another. Between showing the question and recording the answer, the visitor has
`ANSWER_GRACE` more seconds.
"""

import datetime

from django.core import signing
from django.utils import timezone

ROTATING_WINDOW = 120
KIOSK_REFRESH = 30
ANSWER_GRACE = 300
ROTATING = "r"


class TokenRefused(Exception):
    """Why a QR code does not stamp, in French."""


def _signer(stand) -> signing.TimestampSigner:
    return signing.TimestampSigner(
        key=stand.key.stamp_secret, salt=f"essor.village.stamp.{stand.edition_id}"
    )


def rotating_token(stand) -> str:
    return _signer(stand).sign(f"{stand.pk}.{ROTATING}")


def day_token(stand, day: datetime.date) -> str:
    return _signer(stand).sign(f"{stand.pk}.{day.isoformat()}")


def check(stand, token: str, *, grace: int = 0) -> None:
    """Raises TokenRefused (French) unless `token` stamps for `stand` now."""
    signer = _signer(stand)
    try:
        value = signer.unsign(token)
    except signing.BadSignature:
        raise TokenRefused(
            "Ce QR code n'est pas celui de ce stand du Village (il a peut-être été renouvelé) : "
            "scannez celui qui est affiché sur le stand."
        ) from None
    number, _, kind = value.partition(".")
    if number != str(stand.pk):
        raise TokenRefused("Ce QR code est celui d'un autre stand.")
    if kind == ROTATING:
        try:
            signer.unsign(token, max_age=ROTATING_WINDOW + grace)
        except signing.SignatureExpired:
            raise TokenRefused(
                "Ce QR code a expiré : scannez celui qui s'affiche maintenant sur l'écran du stand."
            ) from None
        return
    today = timezone.localdate()
    if kind != today.isoformat():
        raise TokenRefused(
            "Ce QR code imprimé valait pour un autre jour : scannez celui du jour, sur le stand."
        )
