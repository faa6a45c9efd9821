"""Shared mechanisms: the audit log, the progress of background jobs, proposed changes,
notifications (and the e-mails people refused) and the background workers' signs of life."""

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from essor.core.actions import action_label
from essor.core.formats import long_datetime
from essor.core.steps import step


class AuditLogEntry(models.Model):
    """Who did what to which object, when: written by services, read by the agency."""

    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField("action", max_length=64)
    target_type = models.CharField("type d'objet", max_length=64)
    target_id = models.CharField("identifiant de l'objet", max_length=64)
    target_label = models.CharField("objet", max_length=255, blank=True)
    changes = models.JSONField("modifications", default=dict, blank=True)
    message = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal des modifications"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{long_datetime(self.created_at)} {action_label(self.action)} {self.target_label}"


class Job(FSMModelMixin, models.Model):
    """A long piece of work run outside the request, with its progress for the progress page."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        SUCCEEDED = "succeeded", "Terminé"
        FAILED = "failed", "Échec"

    kind = models.CharField("type", max_length=64)
    label = models.CharField("libellé", max_length=255)
    status = FSMField(
        "état", max_length=16, choices=Status.choices, default=Status.PENDING, protected=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="lancé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    started_at = models.DateTimeField("démarré le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    progress_done = models.PositiveBigIntegerField("avancement", default=0)
    progress_total = models.PositiveBigIntegerField("total", null=True, blank=True)
    progress_message = models.CharField("étape", max_length=255, blank=True)
    parameters = models.JSONField("paramètres", default=dict, blank=True)
    result = models.JSONField("résultat", default=dict, blank=True)
    error = models.TextField("erreur", blank=True)

    class Meta:
        verbose_name = "tâche de fond"
        verbose_name_plural = "tâches de fond"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_total__isnull=True)
                | models.Q(progress_done__lte=models.F("progress_total")),
                name="job_progress_within_total",
                violation_error_message="L'avancement ne peut pas dépasser le total.",
            )
        ]

    def __str__(self) -> str:
        return self.label

    # --- workflow: Essor alone moves a job ---------------------------------------------------

    @transition(
        field=status,
        source=Status.PENDING,
        target=Status.RUNNING,
        custom=step("core.job.start", "Démarrer", "Tâche démarrée", system=True),
    )
    def start(self):
        """The worker took the job."""

    @transition(
        field=status,
        source=Status.RUNNING,
        target=Status.SUCCEEDED,
        custom=step("core.job.succeed", "Terminer", "Tâche terminée", system=True),
    )
    def succeed(self):
        """The work is done and its result recorded."""

    @transition(
        field=status,
        source=[Status.PENDING, Status.RUNNING],
        target=Status.FAILED,
        custom=step("core.job.fail", "Échouer", "Tâche en échec", system=True),
    )
    def fail(self):
        """The work stopped on an error."""

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}


class ProposedChange(FSMModelMixin, models.Model):
    """Changes someone proposes to a public record, published once the agency validates them.

    Subclasses add the record they change (a ForeignKey) and what `data` holds, a Meta that
    extends `ProposedChange.Meta` with their names and a one-pending-per-record constraint, and
    their `approve` and `reject` transitions (with their own audit codes)."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente de validation"
        APPROVED = "approved", "Validée"
        REJECTED = "rejected", "Refusée"

    data = models.JSONField("modifications proposées", default=dict)
    status = FSMField(
        "état", max_length=16, choices=Status.choices, default=Status.PENDING, protected=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="proposée par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("proposée le", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="examinée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("examinée le", null=True, blank=True)
    review_comment = models.TextField("commentaire de l'agence", blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class Notification(models.Model):
    """A message shown in Essor to one person, from any module (an alert, a decision, a result);
    written by `notifications.notify`, read on the notifications page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="destinataire",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.CharField("message", max_length=500)
    url = models.CharField("lien", max_length=300, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    read_at = models.DateTimeField("lue le", null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        verbose_name_plural = "notifications"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message


class EmailOptOut(models.Model):
    """An optional kind of e-mail (`notifications.email_categories`) one person chose not to
    receive: every kind is received until the person unticks it (« Mes notifications »), so only
    refusals are stored. The in-app notification is written all the same."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="personne",
        on_delete=models.CASCADE,
        related_name="email_opt_outs",
    )
    category = models.CharField("type de courriel", max_length=64)
    created_at = models.DateTimeField("depuis le", auto_now_add=True)

    class Meta:
        verbose_name = "courriel refusé"
        verbose_name_plural = "courriels refusés"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category"],
                name="email_opt_out_unique_user_category",
                violation_error_message="Ce type de courriel est déjà refusé.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ne reçoit pas « {self.category} »"


class WorkerHeartbeat(models.Model):
    """The last sign of life of each background worker (`manage.py essor_worker` writes it every
    ESSOR_WORKER_HEARTBEAT_SECONDS), read by /healthz."""

    worker_id = models.CharField("identifiant du processus", max_length=64, unique=True)
    hostname = models.CharField("machine", max_length=255, blank=True)
    pid = models.PositiveIntegerField("numéro de processus", null=True, blank=True)
    started_at = models.DateTimeField("démarré le")
    last_seen_at = models.DateTimeField("dernier signe de vie", db_index=True)

    class Meta:
        verbose_name = "signe de vie d'un processus de tâches de fond"
        verbose_name_plural = "signes de vie des processus de tâches de fond"
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname or '?'} ({self.pid or '?'}) : {long_datetime(self.last_seen_at)}"
