from __future__ import annotations

from typing import Any

from django import forms

from dateline.newsletter import subscriptions
from dateline.newsletter.models import Cadence, Newsletter
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


CHOOSE_ONE = "Choose at least one newsletter."


def newsletter_choices() -> list[tuple[int, str]]:
    return [(n.pk, n.name) for n in subscriptions.choosable()]


class NewslettersField(forms.TypedMultipleChoiceField):
    """Newsletters to be on, as checkboxes; choices are read when a form is made."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Newsletters")
        kwargs.setdefault("error_messages", {"required": CHOOSE_ONE})
        super().__init__(
            choices=newsletter_choices, coerce=int, widget=forms.CheckboxSelectMultiple, **kwargs
        )


class NewsletterChoices(forms.Form):
    """A form with a ``newsletters`` field, listed by the template with details()."""

    listed: list[Newsletter]

    def details(self) -> list[tuple[Newsletter, bool]]:
        """Each listed newsletter and whether its box is ticked, for the template."""
        value = self["newsletters"].value() or []
        chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
        return [(n, str(n.pk) in chosen) for n in self.listed]


class SignupForm(NewsletterChoices):
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
    newsletters = NewslettersField()
    sections = SectionsField()
    # Bots fill every field; people never see this one.
    website = forms.CharField(required=False, label="Leave this empty")
    stamp = forms.CharField(required=False, widget=forms.HiddenInput)
    source = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listed = subscriptions.choosable()
        field = self.fields["newsletters"]
        field.initial = [n.pk for n in self.listed if n.preselected]
        # With none choosable (the newsroom hid them all) a signup is for the digest.
        field.required = bool(self.listed)


class PreferencesForm(NewsletterChoices):
    # Not required: unticking them all is leaving (views.manage).
    newsletters = NewslettersField(required=False)
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

    def __init__(self, *args: Any, newsletters: list[Newsletter], **kwargs: Any) -> None:
        """``newsletters``: the choosable ones and any other the reader is on."""
        super().__init__(*args, **kwargs)
        self.listed = newsletters
        self.fields["newsletters"].choices = [(n.pk, n.name) for n in newsletters]  # type: ignore[attr-defined]


class NewLinkForm(forms.Form):
    email = AddressField(label="Email", max_length=254)
