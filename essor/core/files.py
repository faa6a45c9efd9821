"""Stored files (MEDIA_ROOT) reach people only through a view that has checked their rights.

Nothing under MEDIA_ROOT has a public URL: Django never serves MEDIA_URL, and the reverse proxy
must not either. A view checks who asks, then returns `private_file_response(...)`:

- with `ESSOR_PRIVATE_FILES_ACCEL_PREFIX` set (production behind nginx, e.g. `/_prive/`), an empty
  response whose `X-Accel-Redirect` header asks nginx to send the file from an `internal` location
  (the Python process is not held for the whole download);
- otherwise, Django streams the file itself (`FileResponse`).
"""

import mimetypes
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header


def private_file_response(file_or_path, *, filename: str, as_attachment: bool = True):
    """The response that sends a stored file, once the caller has checked the person's rights.

    `file_or_path`: a `FieldFile`, or a path (absolute, or relative to MEDIA_ROOT). `filename`: the
    name the person's browser saves (any characters; its extension gives the Content-Type, never
    the type an uploader's browser declared). Raises `SuspiciousFileOperation` (Django answers 400)
    for a path out of MEDIA_ROOT and `Http404` for a missing file.
    """
    path = _inside_media_root(file_or_path)
    if not path.is_file():
        raise Http404("Ce fichier est introuvable.")
    prefix = settings.ESSOR_PRIVATE_FILES_ACCEL_PREFIX
    if prefix:
        relative = path.relative_to(_media_root()).as_posix()
        response = HttpResponse()
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(relative)
    else:
        response = FileResponse(path.open("rb"))
    response["Content-Type"] = _content_type(filename, path)
    response["Content-Disposition"] = _disposition(filename, as_attachment=as_attachment)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    return response


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def _inside_media_root(file_or_path) -> Path:
    # A FieldFile of the file system storage knows its absolute path (`storage.path` already
    # refuses names that climb out); a plain path may be relative to MEDIA_ROOT.
    raw = Path(file_or_path.path if hasattr(file_or_path, "storage") else file_or_path)
    root = _media_root()
    # resolve() follows "..", and symbolic links, to where the file really is.
    path = (raw if raw.is_absolute() else root / raw).resolve()
    if not path.is_relative_to(root):
        raise SuspiciousFileOperation(f"Fichier hors de MEDIA_ROOT refusé : {file_or_path}")
    return path


def _content_type(filename: str, path: Path) -> str:
    guessed, _encoding = mimetypes.guess_type(filename)
    if guessed is None:
        guessed, _encoding = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _disposition(filename: str, *, as_attachment: bool) -> str:
    """RFC 6266: `filename*` (UTF-8) for a name with accents, after a plain `filename` for the
    clients that do not read it."""
    header = content_disposition_header(as_attachment, filename)
    if "filename*=" not in header:
        return header
    kind, encoded = header.split("; ", 1)
    return f'{kind}; filename="{_ascii_fallback(filename)}"; {encoded}'


def _ascii_fallback(filename: str) -> str:
    letters = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    letters = re.sub(r'[^\x20-\x7e]|["\\]', "", letters)
    name = " ".join(letters.split()).replace(" .", ".")
    return name if name and not name.startswith(".") else f"fichier{name}"
