"""The blocks of a newsletter issue the newsroom writes (WrittenIssue).

Only what mail programs show well: text, a subhead, a story card, a photo, a button.
No embeds: mail has no scripts or frames.
"""

from __future__ import annotations

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class StoryBlock(blocks.StructBlock):
    """A story of ours as a card: headline, standfirst and photo, linked (and counted)."""

    story = blocks.PageChooserBlock(page_type="newsroom.ArticlePage")
    note = blocks.TextBlock(required=False, help_text="A line of your own under the card")

    class Meta:
        icon = "doc-full"


class PhotoBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False)

    class Meta:
        icon = "image"


class ButtonBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=60)
    url = blocks.URLBlock()

    class Meta:
        icon = "link"


class IssueBody(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link", "ul", "ol"])
    subhead = blocks.CharBlock(form_classname="title")
    story = StoryBlock()
    photo = PhotoBlock()
    button = ButtonBlock()
