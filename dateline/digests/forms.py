"""The digest issue page's forms: the editor's words, and a time to send at."""

from __future__ import annotations

from typing import Any

from django import forms
from wagtail.admin.rich_text import DraftailRichTextArea

from dateline.digests.models import DigestIssue

INTRO_FEATURES = ["bold", "italic", "link"]


class IntroEditor(DraftailRichTextArea):
    """Wagtail's rich text editor; a field posted empty (no script ran) is no introduction."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if not str(data.get(name) or "").strip():
            return ""
        return super().value_from_datadict(data, files, name)


class WordsForm(forms.ModelForm[DigestIssue]):
    """Subject, preheader and introduction; each field shows what an empty one means."""

    class Meta:
        model = DigestIssue
        fields = ["subject", "preheader", "intro"]
        labels = {"intro": "Introduction", "preheader": "Preheader"}
        widgets = {"intro": IntroEditor(features=INTRO_FEATURES)}

    def __init__(self, *args: Any, defaults: tuple[str, str] = ("", ""), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        subject, preheader = defaults
        self.fields["subject"].help_text = f"Empty: the top story's headline, “{subject}”."
        self.fields[
            "preheader"
        ].help_text = f"The line mail programs show after the subject. Empty: “{preheader}”."
        self.fields[
            "intro"
        ].help_text = (
            "A few words of your own above the stories; empty: none. Bold, italic and links."
        )
        self.fields["subject"].widget.attrs["placeholder"] = subject
        self.fields["preheader"].widget.attrs["placeholder"] = preheader


class ScheduleForm(forms.Form):
    """When to send: a date and time in the site's time zone."""

    at = forms.DateTimeField(
        label="Send at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
