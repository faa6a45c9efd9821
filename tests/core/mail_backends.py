"""E-mail backends for the tests: a mail server that refuses, one that cannot be reached. Each
attempt is counted in `ATTEMPTS` (emptied by the tests' fixture)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend

ATTEMPTS: list[str] = []


class RefusingBackend(BaseEmailBackend):
    """The server answers, and refuses the message (a full mailbox server, a bad login…)."""

    def send_messages(self, email_messages):
        ATTEMPTS.extend(message.subject for message in email_messages)
        raise smtplib.SMTPException("451 Service momentanément indisponible")


class UnreachableBackend(BaseEmailBackend):
    """Nothing listens on the server's port."""

    def send_messages(self, email_messages):
        ATTEMPTS.extend(message.subject for message in email_messages)
        raise ConnectionRefusedError(111, "Connection refused")


class BrokenBackend(BaseEmailBackend):
    """Not a mail-server error: a bug, which no later attempt would fix."""

    def send_messages(self, email_messages):
        ATTEMPTS.extend(message.subject for message in email_messages)
        raise ValueError("en-tête invalide")
