"""Who is asking: the client's address behind the reverse proxy, and the account named in a
sign-in, as django-axes sees them (settings AXES_CLIENT_IP_CALLABLE and AXES_USERNAME_CALLABLE)."""

import ipaddress

from django.conf import settings
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
