from __future__ import annotations

from typing import Any

from django import forms

from dateline.newsletter.models import Cadence
from dateline.newsletter.signup import InvalidAddress, subscriber_address
from dateline.newsroom.sections import live_sections


def section_choices() -> list[tuple[int, str]]:
    return [(s["pk"], s["title"]) for s in live_sections()]


class AddressField(forms.CharField):
    """An email address normalised and checked by email-validator (syntax only)."""

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value and not self.required:
            return ""
        try:
            return subscriber_address(value)
        except InvalidAddress as error:
            raise forms.ValidationError(str(error)) from None


class SectionsField(forms.TypedMultipleChoiceField):
    """Sections to receive; none ticked means all. Choices are read when a form is made."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Sections")
        kwargs.setdefault("help_text", "Leave all unticked for every section.")
        super().__init__(
            choices=section_choices,
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            **kwargs,
        )


class SignupForm(forms.Form):
    email = AddressField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    cadence = forms.ChoiceField(
        label="How often",
        choices=Cadence.choices,
        initial=Cadence.WEEKLY,
        widget=forms.RadioSelect,
    )
    sections = SectionsField()
    # Bots fill every field; people never see this one.
    website = forms.CharField(required=False, label="Leave this empty")
    stamp = forms.CharField(required=False, widget=forms.HiddenInput)
    source = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)


class PreferencesForm(forms.Form):
    cadence = forms.ChoiceField(
        label="How often", choices=Cadence.choices, widget=forms.RadioSelect
    )
    sections = SectionsField()
    new_email = AddressField(
        label="Change address to",
        required=False,
        max_length=254,
        help_text="We will send a confirmation to the new address first.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class NewLinkForm(forms.Form):
    email = AddressField(label="Email", max_length=254)
