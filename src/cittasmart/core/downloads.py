"""A file sent as a download: never opened in the page, never read as another type, with a safe name."""

import re

from django.http import FileResponse

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\"\\/]")


def attachment_response(handle, *, content_type: str, filename: str, cache_control: str) -> FileResponse:
    name = _UNSAFE_NAME.sub("_", filename) or "file"
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    return response
