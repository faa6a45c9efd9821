"""The SIRENE import as a background job (django_tasks), followed on core's job page."""

import datetime
import logging
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django_tasks import task

from essor.core import jobs
from essor.core.models import Job
from essor.directory.sirene.services import SireneFileError, import_sirene

logger = logging.getLogger(__name__)
JOB_KIND = "directory.sirene_import"
UPLOAD_ROOT = "imports"


def _store(upload, directory: Path) -> str:
    target = directory / Path(upload.name).name
    with target.open("wb") as sink:
        for chunk in upload.chunks():
            sink.write(chunk)
    return str(target)


def enqueue_sirene_import(
    *, establishments, legal_units, geolocation=None, territory, stock_date=None, user
) -> Job:
    """Store the uploads under MEDIA_ROOT/imports/<random>/, create the job and queue it."""
    directory = Path(settings.MEDIA_ROOT) / UPLOAD_ROOT / uuid.uuid4().hex
    directory.mkdir(parents=True)
    parameters = {
        "directory": str(directory),
        "establishments": _store(establishments, directory),
        "legal_units": _store(legal_units, directory),
        "geolocation": _store(geolocation, directory) if geolocation else None,
        "territory_siren": territory.siren,
        "stock_date": stock_date.isoformat() if stock_date else None,
    }
    job = jobs.create_job(
        kind=JOB_KIND,
        label=f"Import SIRENE — {territory.name}",
        created_by=user,
        parameters=parameters,
    )
    run_sirene_import.enqueue(job.pk)
    return job


@task()
def run_sirene_import(job_id: int) -> str:
    job = Job.objects.get(pk=job_id)
    parameters = job.parameters
    jobs.start_job(job)
    last = {"percent": -1, "message": ""}

    def progress(done: int, total: int | None, message: str) -> None:
        percent = int(done * 100 / total) if total else 0
        if percent != last["percent"] or message != last["message"]:
            last.update(percent=percent, message=message)
            jobs.update_progress(job, done=done, total=total, message=message)

    try:
        report = import_sirene(
            establishments_path=parameters["establishments"],
            legal_units_path=parameters["legal_units"],
            geolocation_path=parameters.get("geolocation"),
            territory_siren=parameters["territory_siren"],
            stock_date=datetime.date.fromisoformat(parameters["stock_date"])
            if parameters.get("stock_date")
            else None,
            actor=job.created_by,
            progress=progress,
        )
    except SireneFileError as exc:
        jobs.fail_job(job, error=f"{exc} Rien n'a été importé.")
        return Job.Status.FAILED
    except Exception:
        logger.exception("Import SIRENE %s : erreur inattendue", job_id)
        jobs.fail_job(
            job,
            error="Erreur inattendue pendant l'import : rien n'a été importé. "
            "L'équipe technique en a été informée par le journal du serveur.",
        )
        raise
    finally:
        # The stock files weigh gigabytes: they are not kept once imported.
        shutil.rmtree(parameters["directory"], ignore_errors=True)
    jobs.finish_job(job, result={"counts": report.as_dict(), "summary": report.summary()})
    return Job.Status.SUCCEEDED
