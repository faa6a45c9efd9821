"""Who is asking, and how often: the client's address behind the reverse proxy and the account
named in a sign-in, as django-axes sees them (settings AXES_CLIENT_IP_CALLABLE and
AXES_USERNAME_CALLABLE); the limit on e-mails about accounts that anyone can have sent."""

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache
from ipware import get_client_ip

from essor.accounts.selectors import normalize_email


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        ip in ipaddress.ip_network(network, strict=False)
        for network in settings.ESSOR_TRUSTED_PROXIES
    )


def client_ip(request) -> str | None:
    """The address of the person making the request.

    X-Forwarded-For is read only when the request comes from one of ESSOR_TRUSTED_PROXIES: anyone
    else may write that header, and believing it would let a client pose as another address. Each
    proxy appends the address it received the request from, so with ESSOR_PROXY_COUNT proxies the
    client is that many entries from the end (REMOTE_ADDR being the last proxy); what the client
    wrote itself comes before and is ignored.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.ESSOR_PROXY_COUNT
    if remote is None or proxies < 1 or not _is_trusted_proxy(remote):
        return remote
    forwarded, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=proxies - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    # A trusted proxy that forwarded nothing usable: the request is the proxy's own.
    return forwarded or remote


def login_username(request, credentials: dict | None) -> str:
    """The account a sign-in names, written as it is stored (so « Claire@Example.org » and
    « claire@example.org » share their failures)."""
    if credentials:
        return normalize_email(credentials.get("username"))
    return normalize_email(request.POST.get("username"))


def allow_account_email(*, client_address: str | None, recipient: str) -> bool:
    """Count one e-mail about an account (sign-up, forgotten password); False once the client's
    address or the recipient has had its share of the window.

    Counted whether or not the recipient has an account, so that the answer does not tell. The
    counters live in the cache (shared between processes with REDIS_URL) under hashed keys.
    """
    window = settings.ACCOUNT_EMAIL_LIMIT_MINUTES * 60
    per_client = _count(f"client:{client_address or ''}", window)
    per_recipient = _count(f"recipient:{normalize_email(recipient)}", window)
    return (
        per_client <= settings.ACCOUNT_EMAIL_LIMIT_PER_CLIENT
        and per_recipient <= settings.ACCOUNT_EMAIL_LIMIT_PER_RECIPIENT
    )


def _count(name: str, window: int) -> int:
    """Add one to a counter that starts at the first count and lasts `window` seconds."""
    key = "essor:account-email:" + hashlib.sha256(name.encode()).hexdigest()
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # the counter expired between add() and incr(): a new window starts
        cache.add(key, 1, timeout=window)
        return 1
