"""Private files: certificate scans and label PDFs (security review #19, item 3).

One storage alias, `STORAGES["private"]`, holds every file that must never
have a public URL. Locally it is a folder outside MEDIA_ROOT
(`PRIVATE_MEDIA_ROOT`, default `<MEDIA_ROOT>-private`), so neither Django's
media view nor a proxy serving MEDIA_ROOT can reach it. Object storage (an S3
bucket with presigned URLs) only changes that alias in the settings.

- Model fields use `storage=private_storage` (a callable, so migrations do not
  freeze the backend) and `upload_to=RandomName("folder/%Y/%m/")`: the stored
  name is a random UUID with the file's extension, never the uploaded name
  (a farmer's file name often holds their name or phone number).
- Views check the user first, then answer with `private_file_response`:
  Django streams the file (`PRIVATE_MEDIA_SERVE = "django"`, the default), or
  hands it to nginx with `X-Accel-Redirect` to an `internal` location
  (`PRIVATE_MEDIA_SERVE = "x-accel"`, `PRIVATE_MEDIA_X_ACCEL_PREFIX`); a
  storage without local paths (S3) answers with a redirect to its short-lived
  presigned `storage.url(name)`.
- Wagtail documents (always stored under `documents/`, Wagtail's fixed
  `upload_to`) live there too: `STORAGES["default"]` is a `MediaStorage` that
  sends those names to the private alias and everything else (images,
  renditions, place audio) to the `public` alias. Wagtail's own document
  view, `/documents/<id>/<name>`, checks the collection's view restrictions
  and then streams the file (`sendfile` below under `x-accel`) or redirects
  to its presigned URL.
"""

from __future__ import annotations

import posixpath
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.deconstruct import deconstructible

PRIVATE_STORAGE = "private"
PUBLIC_STORAGE = "public"
SERVE_DJANGO = "django"
SERVE_X_ACCEL = "x-accel"


def default_private_root(media_root) -> str:
    """`<MEDIA_ROOT>-private`, beside MEDIA_ROOT and never inside it."""
    media = Path(media_root)
    return str(media.with_name(f"{media.name}-private"))


class PrivateFileSystemStorage(FileSystemStorage):
    """A local folder with no public URL: files leave it only through a view
    that checked the user (`private_file_response`)."""

    def __init__(self, location=None, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(location=location, base_url=None, **kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(
            self._location,
            getattr(settings, "PRIVATE_MEDIA_ROOT", None)
            or default_private_root(settings.MEDIA_ROOT),
        )

    @property
    def location(self):
        # Read when used (not cached), so settings overridden in tests apply.
        return str(Path(self.base_location).resolve())

    def url(self, name):
        # NotImplementedError is how a Django storage says "no URL": Wagtail's
        # document view then streams the file from its path instead.
        raise NoPublicURL(
            "private files have no public URL: serve them with "
            "cms.private_files.private_file_response after checking the user"
        )


class NoPublicURL(NotImplementedError):
    """Asked for the URL of a file that has none (a private file)."""


def _routed(method: str):
    """A Storage method that hands the call to the backend of its first
    argument, the file's name."""

    def call(self, name, *args, **kwargs):
        return getattr(self.backend(name), method)(name, *args, **kwargs)

    call.__name__ = method
    return call


class MediaStorage(Storage):
    """The `default` storage: the `public` alias for every name except those
    in `private_folders`, which go to the `private` alias.

    Wagtail's Document model stores its file with the default storage under
    `documents/`, and Wagtail has no setting for another storage; a seller's
    documents (sometimes a contract or an ID card) must not be at a public
    URL under MEDIA_URL or in a public-read bucket. Aliases are looked up on
    each call, so settings overridden in tests apply.
    """

    def __init__(
        self,
        public: str = PUBLIC_STORAGE,
        private: str = PRIVATE_STORAGE,
        private_folders: tuple[str, ...] = ("documents",),
    ):
        self.public, self.private = public, private
        self.private_folders = tuple(private_folders)

    def backend(self, name: str) -> Storage:
        top = str(name).lstrip("/").split("/", 1)[0]
        private = top in self.private_folders
        return storages[self.private if private else self.public]


# Every call names the file it is about, so each goes to one backend
# (`save` and `open` whole: the backend picks the free name itself).
for _method in (
    "generate_filename",
    "get_available_name",
    "save",
    "open",
    "delete",
    "exists",
    "size",
    "url",
    "path",
    "listdir",
    "get_accessed_time",
    "get_created_time",
    "get_modified_time",
):
    setattr(MediaStorage, _method, _routed(_method))
del _method


def private_storage() -> Storage:
    """The `private` storage alias (a callable for model fields)."""
    return storages[PRIVATE_STORAGE]


@deconstructible
class RandomName:
    """`upload_to` that stores `<folder>/<uuid4>.<ext>`: the folder may hold
    strftime codes; only a short alphanumeric extension is kept."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        extension = posixpath.splitext(filename or "")[1].lower()
        if not (extension[1:].isalnum() and len(extension) <= 6):
            extension = ""
        folder = timezone.now().strftime(self.folder)
        return posixpath.join(folder, f"{uuid.uuid4().hex}{extension}")

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)


def _local_path(storage: Storage, name: str) -> str | None:
    try:
        return storage.path(name)
    except NotImplementedError:  # object storage: no local file
        return None


def _x_accel_response(content_type: str, name: str) -> HttpResponse:
    """An empty answer telling nginx to send `name` from its `internal`
    location for the private folder (PRIVATE_MEDIA_X_ACCEL_PREFIX)."""
    prefix = settings.PRIVATE_MEDIA_X_ACCEL_PREFIX.rstrip("/")
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = quote(f"{prefix}/{name}")
    return response


def sendfile(request, filename, mimetype=None, **kwargs) -> HttpResponse:
    """Wagtail's SENDFILE_BACKEND under `PRIVATE_MEDIA_SERVE = "x-accel"`:
    its document view checked the collection's restrictions, nginx sends
    the bytes. Only files of the private folder can be sent this way."""
    root = Path(storages[PRIVATE_STORAGE].path(""))
    path = Path(filename).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"{filename} is not in the private folder {root}")
    return _x_accel_response(
        mimetype or "application/octet-stream", path.relative_to(root).as_posix()
    )


def _content_disposition(filename: str, *, as_attachment: bool) -> str:
    kind = "attachment" if as_attachment else "inline"
    ascii_name = filename.encode("ascii", "ignore").decode() or "tep"
    ascii_name = ascii_name.replace('"', "").replace("\\", "")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def private_file_response(
    request,
    name: str,
    *,
    filename: str,
    content_type: str,
    as_attachment: bool = False,
    storage_alias: str = PRIVATE_STORAGE,
) -> HttpResponse:
    """The private file `name`, for a request whose user the caller checked.

    Never cached by a shared cache (`private, no-store`); the browser is told
    not to guess another type (`nosniff`). `filename` is what the user's
    browser saves it as, not the stored (random) name.
    """
    storage = storages[storage_alias]
    path = _local_path(storage, name)
    if path is None:
        # S3 and the like: a short-lived presigned URL made by the storage.
        response = HttpResponseRedirect(storage.url(name))
    elif getattr(settings, "PRIVATE_MEDIA_SERVE", SERVE_DJANGO) == SERVE_X_ACCEL:
        # nginx streams it from its `internal` location; Django only decided.
        response = _x_accel_response(content_type, name)
    else:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    response["Content-Disposition"] = _content_disposition(
        filename, as_attachment=as_attachment
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
