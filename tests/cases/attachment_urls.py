"""The site's URLs plus views that report what reached them, with and without @accepts_attachments."""

from django.conf.urls.i18n import i18n_patterns
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from carmsupport.request_limits import OversizedUpload, accepts_attachments
from carmsupport.urls import urlpatterns as site_urlpatterns


def received(request):
    files = [
        {"field": field, "name": upload.name, "size": upload.size, "oversized": isinstance(upload, OversizedUpload)}
        for field in request.FILES
        for upload in request.FILES.getlist(field)
    ]
    return JsonResponse({"post": request.POST.dict(), "files": files})


@accepts_attachments
def takes_files(request):
    return received(request)


def takes_no_files(request):
    return received(request)


# Marked under another decorator: functools.wraps carries the mark out to what resolve() finds.
@require_POST
@accepts_attachments
def localized_takes_files(request):
    return received(request)


urlpatterns = [
    *site_urlpatterns,
    path("takes-files/", takes_files),
    path("takes-no-files/", takes_no_files),
    *i18n_patterns(path("localized/takes-files/", localized_takes_files)),
]
