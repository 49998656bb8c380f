"""The QR code of a registration: the absolute address of the meeting's check-in page with the code in it
(``…/check-in/?code=ABCD2345``). Scanned with the check-in page's camera or with any phone, it opens the check-in
with the code filled in; ``services.normalise_code`` also reads the code out of the address.

SVG for the registration page (with a ``<title>`` for screen readers), PNG for the e-mail attachment.
"""

import io
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cittasmart.meetings.models import Registration

# Medium error correction survives a creased print-out or a cracked phone screen; the address stays short enough.
ERROR_CORRECTION = "m"
SVG_SCALE = 6
PNG_SCALE = 8


def checkin_url(registration: Registration) -> str:
    """The check-in address that carries the code, in the site's language (the same in the page and the e-mail)."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("meetings:checkin", kwargs={"slug": registration.meeting.slug})
    return f"{settings.SITE_URL}{path}?{urlencode({'code': registration.code})}"


def registration_qr(registration: Registration) -> segno.QRCode:
    return segno.make(checkin_url(registration), error=ERROR_CORRECTION, micro=False)


def qr_title(registration: Registration) -> str:
    return _("QR code of registration %(code)s") % {"code": registration.code}


def registration_qr_svg(registration: Registration, *, xmldecl: bool = True) -> str:
    """The QR code as an SVG document (``xmldecl=False`` to put it inline in a page)."""
    buffer = io.BytesIO()
    registration_qr(registration).save(
        buffer,
        kind="svg",
        scale=SVG_SCALE,
        title=qr_title(registration),
        xmldecl=xmldecl,
        svgclass="registration-qr",
        lineclass=None,
    )
    # role="img" makes screen readers announce the <title> when the SVG is put inline in a page.
    return buffer.getvalue().decode().replace("<svg ", '<svg role="img" ', 1)


def registration_qr_png(registration: Registration) -> bytes:
    buffer = io.BytesIO()
    registration_qr(registration).save(buffer, kind="png", scale=PNG_SCALE)
    return buffer.getvalue()
