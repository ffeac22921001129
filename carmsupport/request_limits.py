"""Requests too large, or carrying files where no form takes any, refused with 413 before they are read."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler, MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.shortcuts import render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

# File parts tolerated beyond ATTACHMENTS_PER_MESSAGE, so that the form, not a 413, says "at most 5".
EXTRA_FILE_PARTS = 10


def accepts_attachments(view):
    """Marks a view whose form takes attachments: the middleware then lets file parts through, capped."""
    view.accepts_attachments = True
    return view


class FilePartRefused(Exception):
    """A form that takes no files was sent one."""


class RefuseFiles(FileUploadHandler):
    """Stops the reading of a multipart body at its first file part."""

    def new_file(self, *args, **kwargs):
        raise FilePartRefused

    def receive_data_chunk(self, raw_data, start):
        raise FilePartRefused

    def file_complete(self, file_size):
        return None


class AttachmentsTooLarge(Exception):
    """The files of one request together pass ATTACHMENTS_MAX_BYTES_PER_MESSAGE, or are too many."""


class OversizedUpload:
    """Stands in request.FILES for a file over ATTACHMENT_MAX_BYTES, of which nothing was kept:
    the form says which file was too large, and keeps what else was typed."""

    def __init__(self, name, size):
        self.name = name
        self.size = size

    def __repr__(self):
        return f"<OversizedUpload {self.name!r} {self.size}>"


class CappedUploadHandler(FileUploadHandler):
    """First handler on pages that take attachments: counts the bytes of each file and of all, passes
    the chunks on to Django's handlers while a file is within ATTACHMENT_MAX_BYTES, drops them after."""

    def __init__(self, request=None):
        super().__init__(request)
        self.parts = 0
        self.total = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.parts += 1
        if self.parts > settings.ATTACHMENTS_PER_MESSAGE + EXTRA_FILE_PARTS:
            raise AttachmentsTooLarge
        self.size = 0
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        self.total += len(raw_data)
        # Counted as read, whatever the declared length said (it can be absent or understated).
        if self.total > settings.ATTACHMENTS_MAX_BYTES_PER_MESSAGE:
            raise AttachmentsTooLarge
        if self.size > settings.ATTACHMENT_MAX_BYTES:
            if not self.oversized:
                self.oversized = True
                self.discard_kept()
            return None  # not passed on: nothing more of this file is kept
        return raw_data

    def discard_kept(self):
        """Frees what the next handlers kept of the current file, since it will not be used."""
        for handler in self.request.upload_handlers if self.request else ():
            if handler is not self and hasattr(handler, "file"):
                handler.file.close()

    def file_complete(self, file_size):
        # Returning an object ends the chain: the next handlers' (closed) file is not returned.
        return OversizedUpload(self.file_name, self.size) if self.oversized else None


class RequestSizeMiddleware:
    """Refuses with 413 a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE (by its declared length, unread)
    and any file part, except on the views marked with @accepts_attachments: there the limit grows by
    ATTACHMENTS_MAX_BYTES_PER_MESSAGE and the files are read under CappedUploadHandler. Form fields
    are read here, so that what follows never meets a half-read body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        takes_files = view_accepts_attachments(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if takes_files:
            limit += settings.ATTACHMENTS_MAX_BYTES_PER_MESSAGE
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return too_large(request)
        if request.method == "POST":
            if takes_files:
                request.upload_handlers = [
                    CappedUploadHandler(request),
                    MemoryFileUploadHandler(request),
                    TemporaryFileUploadHandler(request),
                ]
            else:
                request.upload_handlers = [RefuseFiles(request)]
            try:
                request.POST  # noqa: B018  (parses the body now, under the handlers above)
            except (FilePartRefused, AttachmentsTooLarge, RequestDataTooBig):
                return too_large(request)
        return self.get_response(request)


def view_accepts_attachments(request):
    """Whether the view the address leads to is marked @accepts_attachments; decided before the body
    is read. LocaleMiddleware has run, so the /en/ and /fr/ prefixes resolve."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return getattr(match.func, "accepts_attachments", False) is True


def too_large(request):
    mb = 1024 * 1024
    context = {
        "max_files": settings.ATTACHMENTS_PER_MESSAGE,
        "max_file_mb": settings.ATTACHMENT_MAX_BYTES // mb,
        "max_total_mb": settings.ATTACHMENTS_MAX_BYTES_PER_MESSAGE // mb,
        "form_url": form_address(request),
    }
    # No Connection header: hop-by-hop headers are the server's (PEP 3333), and the development server
    # refuses them with a 500. The servers deal with the unread body themselves: gunicorn's sync workers
    # close every connection after its answer, runserver reads the rest of the body and drops it.
    return render(request, "errors/413.html", context, status=413)


def form_address(request):
    """The address of the form a POST was sent from, to reopen it (empty; Back keeps what was typed), or None.

    A form posts to its own address, but the raw path may be anything (//evil.example/ would lead off the
    site): the address is rebuilt from the route the path resolves to, and offered only when it is that path.
    """
    if request.method != "POST":
        return None
    urlconf = getattr(request, "urlconf", None)
    try:
        match = resolve(request.path_info, urlconf)
        address = reverse(match.view_name, args=match.args, kwargs=match.kwargs, urlconf=urlconf)
    except (Resolver404, NoReverseMatch):
        return None
    if address != request.path or not url_has_allowed_host_and_scheme(address, allowed_hosts=None):
        return None
    query = request.GET.urlencode()
    return f"{address}?{query}" if query else address
