"""The compact posting form on a live blog's admin screen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction

from dateline.live.models import LivePost, LivePostSource
from dateline.newsroom.models import ArticleSource, Author

# The post's source, as fields of the form (LivePostSource's, but for the post row).
SOURCE_FIELDS = (
    "outlet",
    "outlet_short",
    "outlet_takes_the",
    "read_at",
    "url",
    "kind",
    "published_on",
)


class LivePostForm(forms.ModelForm[LivePost]):
    """A post, with at most one source: a post is short, and quick to write."""

    outlet = forms.CharField(
        label="Source", required=False, max_length=200, help_text="e.g. Associated Press"
    )
    read_at = forms.CharField(
        label="Read at", required=False, max_length=200, help_text="e.g. Times Union"
    )
    url = forms.URLField(
        label="Source link", required=False, max_length=1000, assume_scheme="https"
    )
    kind = forms.ChoiceField(
        label="Source kind", choices=ArticleSource.Kind.choices, initial="report"
    )
    outlet_short = forms.CharField(
        label="Short name", required=False, max_length=40, help_text="e.g. AP"
    )
    outlet_takes_the = forms.BooleanField(label="Say “the” before the name", required=False)
    # Filled in from a wire report ("Add to live blog" on the wire desk), not typed.
    published_on = forms.DateField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = LivePost
        fields = ["body", "author", "key_event", "pinned"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        author = self.fields["author"]
        assert isinstance(author, forms.ModelChoiceField)
        author.queryset = Author.objects.filter(kind=Author.Kind.PERSON)
        if self.instance.pk:
            source = self.instance.sources.first()
            for name in SOURCE_FIELDS if source is not None else ():
                self.fields[name].initial = getattr(source, name)
            return
        # Most posts are a paragraph: the editor starts typing in one at once.
        stream_block = LivePost._meta.get_field("body").stream_block  # type: ignore[union-attr]
        self.initial.setdefault(
            "body", stream_block.to_python([{"type": "paragraph", "value": ""}])
        )
        # Posts are usually the editor's own: their author entry when one has their name.
        name = user.get_full_name() if user is not None else ""
        if name:
            self.fields["author"].initial = Author.objects.filter(name=name).first()

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if (cleaned.get("read_at") or cleaned.get("url")) and not cleaned.get("outlet"):
            self.add_error("outlet", "Name who reported it, as the reader sees it.")
        return cleaned

    @transaction.atomic
    def save(self, commit: bool = True) -> LivePost:
        post: LivePost = super().save(commit=True)
        data = self.cleaned_data
        source = post.sources.first()
        if not data.get("outlet"):
            if source is not None:
                source.delete()
            return post
        source = source or LivePostSource(post=post)
        for name in SOURCE_FIELDS:
            setattr(source, name, data.get(name))
        source.kind = source.kind or ArticleSource.Kind.REPORT
        source.save()
        return post
