from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cittasmart.accounts import selectors, services
from cittasmart.core.roles import Role


class SignupExtraForm(forms.Form):
    """Fields that allauth's sign-up form adds to e-mail and password (allauth's form inherits from this one)."""

    field_order = ["email", "password1", "password2", "display_name", "privacy_accepted"]

    display_name = forms.CharField(
        label=_("Display name (optional)"),
        max_length=80,
        required=False,
        help_text=_("Shown next to what you publish. You can change it later."),
    )
    privacy_accepted = forms.BooleanField(
        label=_("I have read the privacy notice"),
        required=True,
        help_text=format_lazy(
            '<a href="{url}">{text}</a>', url=reverse_lazy("core:privacy"), text=_("Read the privacy notice")
        ),
        error_messages={"required": _("You must read and accept the privacy notice to create an account.")},
    )

    def signup(self, request, user) -> None:
        services.user_profile_update(user=user, display_name=self.cleaned_data.get("display_name", ""))
        services.user_privacy_accept(user=user)


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("Shown next to what you publish. Leave empty to appear as a participant."),
    )


class EraseAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account will be deleted and cannot be recovered"),
        required=True,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


class RoleForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of the person"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_email(self):
        user = selectors.active_user_by_email(self.cleaned_data["email"])
        if user is None:
            raise forms.ValidationError(
                _("No active account has this e-mail address. Ask the person to sign up first.")
            )
        self.cleaned_data["user"] = user
        return self.cleaned_data["email"]
