from django import forms
from django.utils.translation import gettext_lazy as _

from cittasmart.core.ambiti import Ambito
from cittasmart.participation.models import EmailFrequency


class NotificationSettingsForm(forms.Form):
    email_frequency = forms.ChoiceField(
        label=_("Send me an e-mail about my notifications"),
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_("Whatever you choose, every notification stays in your list on the platform."),
    )
    ambiti = forms.MultipleChoiceField(
        label=_("Domains you follow"),
        choices=Ambito.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("You get a notification when news is published in one of these domains."),
    )


class AmbitoFollowForm(forms.Form):
    """The "Follow this domain" button: which domain, whether to follow it, and the page to go back to."""

    ambito = forms.ChoiceField(choices=Ambito.choices)
    following = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1", empty_value=False
    )
    next = forms.CharField(required=False, max_length=500)
