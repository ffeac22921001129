"""Requests too large, or carrying files where no form takes any, refused with 413 before they are read."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render


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


class RequestSizeMiddleware:
    """Refuses with 413 a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE (by its declared length, unread)
    and any file part: no page of the site takes files. Form fields are read here, so that what
    follows never meets a half-read body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return too_large(request)
        if request.method == "POST":
            request.upload_handlers = [RefuseFiles(request)]
            try:
                request.POST  # noqa: B018  (parses the body now, under the handler above)
            except (FilePartRefused, RequestDataTooBig):
                return too_large(request)
        return self.get_response(request)


def too_large(request):
    response = render(request, "errors/413.html", status=413)
    response["Connection"] = "close"
    return response
