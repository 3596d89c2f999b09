"""The blocks of an article's body."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    speaker = blocks.CharBlock(help_text="Who said it, e.g. Mara Velt")
    role = blocks.CharBlock(required=False, help_text="e.g. harbour master at Port Calder")

    class Meta:
        icon = "openquote"
        template = "newsroom/blocks/quote.html"


class InlinePhotoBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False, help_text="Leave empty to use the photo's own")

    class Meta:
        icon = "image"
        template = "newsroom/blocks/photo.html"


class LinkedEmbedBlock(EmbedBlock):
    """An embed that still shows a plain link when its provider cannot be reached.

    Wagtail's renders nothing then (no network, a provider gone), and an imported
    story would lose what it pointed at without a trace.
    """

    def render_basic(self, value: Any, context: Any = None) -> str:
        rendered = super().render_basic(value, context=context)
        if rendered or not value:
            return rendered
        return format_html('<p class="embed-link"><a href="{0}">{0}</a></p>', value.url)


class ArticleBody(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link"])
    subhead = blocks.CharBlock(form_classname="title", template="newsroom/blocks/subhead.html")
    quote = QuoteBlock()
    photo = InlinePhotoBlock()
    embed = LinkedEmbedBlock(help_text="A link to a video or post, e.g. on YouTube or Vimeo")


# Migrations name the block by the path it had when it lived in models.py.
DECONSTRUCT_ALIASES = {LinkedEmbedBlock: "dateline.newsroom.models.LinkedEmbedBlock"}
