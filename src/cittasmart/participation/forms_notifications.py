from django import forms
from django.utils.translation import gettext_lazy as _

from cittasmart.participation.models import EmailFrequency


class NotificationSettingsForm(forms.Form):
    email_frequency = forms.ChoiceField(
        label=_("Send me an e-mail about my notifications"),
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_("Whatever you choose, every notification stays in your list on the platform."),
    )
