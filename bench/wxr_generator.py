#!/usr/bin/env python3
"""A large invented WordPress export (WXR 1.2) with its uploads, for bench/import.

    python bench/wxr_generator.py OUT_DIR [--posts 10000] [--seed 23]

writes OUT_DIR/export.xml, OUT_DIR/uploads/ (tiny JPEGs, as a copy of wp-content/uploads)
and OUT_DIR/mapping.toml. By default: 10,000 posts, 2,000 images (every one an
attachment; posts use them as featured images through `_thumbnail_id` and inside their
content), 30,000 comments (about one in six a reply), 12 authors (one an
agency), 8 categories and 40 tags. Posts alternate between Gutenberg block markup and
classic HTML with `[caption]` shortcodes. Element names and namespaces follow the test
fixtures (tests/importers/fixtures/harbour-1.2.xml). All text is invented here, and the
same seed gives the same files byte for byte.

The export is written as it is generated (a stream), so generating 10,000 posts needs
little memory; the images are 16x12 pixels of noise, so each has bytes of its own (the
import stores a picture once per content hash) and writing 2,000 takes about a second.
"""

from __future__ import annotations

import argparse
import datetime
import io
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape

SITE = "https://old.saltmarsh.example"
_WORDS = (
    "harbour quay council ferry market tide lantern marsh dune beacon lighthouse pier "
    "parish school library bridge road river weir mill orchard allotment festival regatta "
    "museum archive bakery chapel meadow reservoir causeway ward budget planning survey "
    "volunteers fishermen gulls nets timetable shelter carnival choir lifeboat crossing "
    "storm gale flood repair rota inquiry petition committee tender contract theatre hall "
    "clinic surgery pharmacy bus depot station siding platform signal junction granary "
    "kiln pottery weaver tannery forge boatyard slipway mooring buoy channel sandbank"
)
_VERBS = (
    "reopens closes delays approves rejects reviews plans doubles halves names opens "
    "welcomes questions restores extends repaints funds moves"
)
WORDS, VERBS = _WORDS.split(), _VERBS.split()  # our own vocabulary, a word list
PEOPLE = (
    ("rhona", "Rhona Tallis"), ("edmund", "Edmund Fairlie"), ("nessa", "Nessa Quarrie"),
    ("joss", "Joss Penhallow"), ("maud", "Maud Ellery"), ("tobin", "Tobin Scarrow"),
    ("ilse", "Ilse Varnham"), ("corin", "Corin Ashdown"), ("petra", "Petra Lowick"),
    ("alder", "Alder Quennell"), ("wren", "Wren Castellan"),
)  # fmt: skip
AGENCY = ("marshwire", "Marshwire Agency")
CATEGORIES = ("harbour", "council", "schools", "sport", "arts", "business", "weather", "letters")
START = datetime.datetime(2015, 1, 1, 7, 0, tzinfo=datetime.UTC)


@dataclass
class Counts:
    """What was written, so that a run can be checked against it."""

    posts: int = 0
    published: int = 0
    drafts: int = 0
    private: int = 0  # skipped by the import
    gutenberg: int = 0
    classic: int = 0
    images: int = 0  # files in uploads/, each an attachment
    # the images that posts the import keeps use (as featured image or in the text)
    images_referenced: set[int] = field(default_factory=set)
    featured: int = 0
    content_images: int = 0
    comments: int = 0
    replies: int = 0
    authors: int = 0
    categories: int = 0
    tags: int = 0


@dataclass
class Generated:
    export: Path
    media: Path
    mapping: Path
    counts: Counts


def cdata(text: str) -> str:
    return f"<![CDATA[{text}]]>"


def jpeg(rng: random.Random) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (16, 12), rng.randbytes(16 * 12 * 3)).save(out, "JPEG", quality=60)
    return out.getvalue()


class Writer:
    def __init__(self, posts: int, images: int, comments: int, seed: int) -> None:
        self.n_posts = posts
        self.n_images = images
        self.n_comments = comments
        self.rng = random.Random(seed)
        self.counts = Counts()
        self.tags = [f"{a}-{b}" for a, b in zip(WORDS[::2], WORDS[1::2], strict=False)][:40]
        self.authors = [*PEOPLE, AGENCY]
        # Comments per post: spread over the published posts, decided up front.
        self.comment_id = 100_000

    # Text ---------------------------------------------------------------------------

    def sentence(self, low: int = 8, high: int = 18) -> str:
        words = [self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high))]
        return " ".join(words).capitalize() + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 4)))

    def title(self) -> str:
        a, b = self.rng.choice(WORDS), self.rng.choice(WORDS)
        return f"{a.capitalize()} {self.rng.choice(VERBS)} {b} {self.rng.choice(WORDS)}"

    # Pieces -------------------------------------------------------------------------

    def image_path(self, n: int) -> str:
        year = 2015 + n % 10
        month = 1 + n % 12
        return f"{year}/{month:02d}/photo-{n:05d}.jpg"

    def image_url(self, n: int, sized: bool = False) -> str:
        path = self.image_path(n)
        if sized:  # WordPress's resized copy: the import finds the original
            path = path.replace(".jpg", "-1024x768.jpg")
        return f"{SITE}/wp-content/uploads/{path}"

    def attachment_id(self, n: int) -> int:
        return 1 + n  # 1 .. images; posts start after them

    def post_id(self, i: int) -> int:
        return 10_000 + i

    def header(self, out: TextIO) -> None:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n'
            "<!-- An invented WordPress export written by bench/wxr_generator.py. -->\n"
            '<rss version="2.0"\n'
            '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
            '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
            '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '\txmlns:wp="http://wordpress.org/export/1.2/"\n'
            ">\n<channel>\n"
            "\t<title>The Saltmarsh Courier</title>\n"
            f"\t<link>{SITE}</link>\n"
            "\t<description>News from the marsh towns</description>\n"
            "\t<pubDate>Mon, 01 Jun 2026 09:00:00 +0000</pubDate>\n"
            "\t<language>en-GB</language>\n"
            "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
            f"\t<wp:base_site_url>{SITE}</wp:base_site_url>\n"
            f"\t<wp:base_blog_url>{SITE}</wp:base_blog_url>\n\n"
        )
        for n, (login, name) in enumerate(self.authors, start=1):
            first, _, last = name.partition(" ")
            out.write(
                f"\t<wp:author><wp:author_id>{n}</wp:author_id>"
                f"<wp:author_login>{cdata(login)}</wp:author_login>"
                f"<wp:author_email>{cdata(login + '@saltmarsh.example')}</wp:author_email>"
                f"<wp:author_display_name>{cdata(name)}</wp:author_display_name>"
                f"<wp:author_first_name>{cdata(first)}</wp:author_first_name>"
                f"<wp:author_last_name>{cdata(last)}</wp:author_last_name></wp:author>\n"
            )
            self.counts.authors += 1
        for n, slug in enumerate(CATEGORIES, start=2):
            out.write(
                f"\t<wp:category><wp:term_id>{n}</wp:term_id>"
                f"<wp:category_nicename>{cdata(slug)}</wp:category_nicename>"
                f"<wp:category_parent>{cdata('')}</wp:category_parent>"
                f"<wp:cat_name>{cdata(slug.capitalize())}</wp:cat_name></wp:category>\n"
            )
            self.counts.categories += 1
        for n, slug in enumerate(self.tags, start=100):
            out.write(
                f"\t<wp:tag><wp:term_id>{n}</wp:term_id><wp:tag_slug>{cdata(slug)}</wp:tag_slug>"
                f"<wp:tag_name>{cdata(slug.replace('-', ' ').title())}</wp:tag_name></wp:tag>\n"
            )
            self.counts.tags += 1
        out.write("\n")

    def attachment(self, out: TextIO, n: int, parent: int) -> None:
        path = self.image_path(n)
        url = self.image_url(n)
        caption = self.sentence(4, 9)
        credit = self.rng.choice(self.authors)[1]
        alt = self.sentence(3, 7).rstrip(".")
        metadata = (
            f'a:5:{{s:5:"width";i:16;s:6:"height";i:12;s:4:"file";s:{len(path)}:"{path}";'
            f's:5:"sizes";a:0:{{}}s:10:"image_meta";a:3:{{s:6:"credit";s:{len(credit)}:'
            f'"{credit}";s:7:"caption";s:0:"";s:9:"copyright";s:0:"";}}}}'
        )
        out.write(
            "\t<item>\n"
            f"\t\t<title>{cdata(f'photo-{n:05d}')}</title>\n"
            f"\t\t<link>{url}</link>\n"
            f"\t\t<dc:creator>{cdata(self.authors[n % len(self.authors)][0])}</dc:creator>\n"
            f'\t\t<guid isPermaLink="false">{url}</guid>\n'
            f"\t\t<content:encoded>{cdata('')}</content:encoded>\n"
            f"\t\t<excerpt:encoded>{cdata(caption)}</excerpt:encoded>\n"
            f"\t\t<wp:post_id>{self.attachment_id(n)}</wp:post_id>\n"
            f"\t\t<wp:status>{cdata('inherit')}</wp:status>\n"
            f"\t\t<wp:post_parent>{parent}</wp:post_parent>\n"
            f"\t\t<wp:post_type>{cdata('attachment')}</wp:post_type>\n"
            f"\t\t<wp:attachment_url>{cdata(url)}</wp:attachment_url>\n"
            f"\t\t{meta('_wp_attached_file', path)}\n"
            f"\t\t{meta('_wp_attachment_image_alt', alt)}\n"
            f"\t\t{meta('_wp_attachment_metadata', metadata)}\n"
            "\t</item>\n"
        )

    def gutenberg(self, image: int | None) -> str:
        blocks = []
        for k in range(self.rng.randint(3, 6)):
            blocks.append(
                f"<!-- wp:paragraph -->\n<p>{escape(self.paragraph())}</p>\n<!-- /wp:paragraph -->"
            )
            if k == 1:
                blocks.append(
                    "<!-- wp:heading -->\n"
                    f'<h2 class="wp-block-heading">{escape(self.title())}</h2>\n'
                    "<!-- /wp:heading -->"
                )
            if k == 2 and image is not None:
                aid = self.attachment_id(image)
                blocks.append(
                    f'<!-- wp:image {{"id":{aid},"sizeSlug":"large"}} -->\n'
                    f'<figure class="wp-block-image size-large"><img src="'
                    f'{self.image_url(image, sized=True)}" alt="" class="wp-image-{aid}"/>'
                    f'<figcaption class="wp-element-caption">{escape(self.sentence(4, 8))}'
                    "</figcaption></figure>\n<!-- /wp:image -->"
                )
        if self.rng.random() < 0.3:
            blocks.append(
                '<!-- wp:quote -->\n<blockquote class="wp-block-quote"><!-- wp:paragraph -->\n'
                f"<p>{escape(self.sentence())}</p>\n<!-- /wp:paragraph -->"
                f"<cite>{escape(self.rng.choice(PEOPLE)[1])}</cite></blockquote>\n"
                "<!-- /wp:quote -->"
            )
        if self.rng.random() < 0.3:
            items = "".join(
                f"<!-- wp:list-item -->\n<li>{escape(self.sentence(3, 6))}</li>\n"
                "<!-- /wp:list-item -->"
                for _ in range(3)
            )
            blocks.append(f"<!-- wp:list -->\n<ul>{items}</ul>\n<!-- /wp:list -->")
        return "\n\n".join(blocks)

    def classic(self, image: int | None) -> str:
        parts = []
        for k in range(self.rng.randint(3, 6)):
            text = escape(self.paragraph())
            if k == 0:
                words = text.split(" ")
                words[2] = f"<strong>{words[2]}</strong>"
                text = " ".join(words)
            parts.append(text)
            if k == 1 and image is not None:
                aid = self.attachment_id(image)
                parts.append(
                    f'[caption id="attachment_{aid}" align="aligncenter" width="640"]'
                    f'<img class="size-large wp-image-{aid}" src="{self.image_url(image)}" '
                    f'alt="{escape(self.sentence(3, 6))}" width="640" height="480" /> '
                    f"{escape(self.sentence(4, 8))}[/caption]"
                )
        if self.rng.random() < 0.3:
            parts.append(f'<a href="{SITE}/{self.rng.choice(CATEGORIES)}/">More from the desk</a>')
        return "\n\n".join(parts)

    def comments(self, out: TextIO, count: int, date: datetime.datetime) -> None:
        ids: list[int] = []
        for k in range(count):
            self.comment_id += 1
            parent = 0
            if ids and self.rng.random() < 0.25:
                parent = self.rng.choice(ids)
                self.counts.replies += 1
            ids.append(self.comment_id)
            when = (date + datetime.timedelta(hours=1 + k)).strftime("%Y-%m-%d %H:%M:%S")
            name = f"{self.rng.choice(WORDS).capitalize()} {self.rng.choice(WORDS).capitalize()}"
            reader = f"reader{self.comment_id}"
            out.write(
                "\t\t<wp:comment>\n"
                f"\t\t\t<wp:comment_id>{self.comment_id}</wp:comment_id>\n"
                f"\t\t\t<wp:comment_author>{cdata(name)}</wp:comment_author>\n"
                "\t\t\t<wp:comment_author_email>"
                f"{cdata(reader + '@readers.example')}</wp:comment_author_email>\n"
                "\t\t\t<wp:comment_author_url></wp:comment_author_url>\n"
                "\t\t\t<wp:comment_author_IP>"
                f"{cdata(f'192.0.2.{self.comment_id % 250 + 1}')}</wp:comment_author_IP>\n"
                f"\t\t\t<wp:comment_date>{cdata(when)}</wp:comment_date>\n"
                f"\t\t\t<wp:comment_date_gmt>{cdata(when)}</wp:comment_date_gmt>\n"
                "\t\t\t<wp:comment_content>"
                f"{cdata(escape(self.sentence(5, 25)))}</wp:comment_content>\n"
                f"\t\t\t<wp:comment_approved>{cdata('1')}</wp:comment_approved>\n"
                f"\t\t\t<wp:comment_type>{cdata('comment')}</wp:comment_type>\n"
                f"\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>\n"
                "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n"
                "\t\t</wp:comment>\n"
            )
        self.counts.comments += count

    def post(self, out: TextIO, i: int, featured: int | None, inline: int | None) -> str:
        """One post, without its comments and closing tag; returns its status."""
        post_id = self.post_id(i)
        date = START + datetime.timedelta(hours=7 * i, minutes=self.rng.randint(0, 59))
        roll = self.rng.random()
        status = "private" if roll < 0.01 else "draft" if roll < 0.04 else "publish"
        title = self.title()
        slug = f"{title.lower().replace(' ', '-')}-{post_id}"
        link = f"{SITE}/{date:%Y/%m/%d}/{slug}/"
        gutenberg = i % 2 == 0
        content = self.gutenberg(inline) if gutenberg else self.classic(inline)
        login = self.authors[i % len(self.authors)][0]
        category = CATEGORIES[self.rng.randrange(len(CATEGORIES))]
        tags = self.rng.sample(self.tags, self.rng.randint(0, 3))
        stamp = date.strftime("%Y-%m-%d %H:%M:%S")
        out.write(
            "\t<item>\n"
            f"\t\t<title>{cdata(title)}</title>\n"
            f"\t\t<link>{link}</link>\n"
            f"\t\t<pubDate>{date:%a, %d %b %Y %H:%M:%S} +0000</pubDate>\n"
            f"\t\t<dc:creator>{cdata(login)}</dc:creator>\n"
            f'\t\t<guid isPermaLink="false">{SITE}/?p={post_id}</guid>\n'
            "\t\t<description></description>\n"
            f"\t\t<content:encoded>{cdata(content)}</content:encoded>\n"
            "\t\t<excerpt:encoded>"
            f"{cdata(self.sentence(8, 14) if self.rng.random() < 0.5 else '')}</excerpt:encoded>\n"
            f"\t\t<wp:post_id>{post_id}</wp:post_id>\n"
            f"\t\t<wp:post_date>{cdata(stamp)}</wp:post_date>\n"
            f"\t\t<wp:post_date_gmt>{cdata(stamp)}</wp:post_date_gmt>\n"
            f"\t\t<wp:comment_status>{cdata('open')}</wp:comment_status>\n"
            f"\t\t<wp:post_name>{cdata(slug)}</wp:post_name>\n"
            f"\t\t<wp:status>{cdata(status)}</wp:status>\n"
            "\t\t<wp:post_parent>0</wp:post_parent>\n"
            f"\t\t<wp:post_type>{cdata('post')}</wp:post_type>\n"
            "\t\t<wp:is_sticky>0</wp:is_sticky>\n"
            f'\t\t<category domain="category" nicename="{category}">'
            f"{cdata(category.capitalize())}</category>\n"
        )
        for tag in tags:
            name = tag.replace("-", " ").title()
            out.write(
                f'\t\t<category domain="post_tag" nicename="{tag}">{cdata(name)}</category>\n'
            )
        if featured is not None:
            out.write(f"\t\t{meta('_thumbnail_id', str(self.attachment_id(featured)))}\n")
        self.counts.posts += 1
        self.counts.gutenberg += gutenberg
        self.counts.classic += not gutenberg
        return status

    # The whole export -----------------------------------------------------------------

    def plan(self) -> Iterator[tuple[int, int | None, int | None]]:
        """(post, featured image, image inside the content) for every post.

        Every image is used at least once when there are posts enough: image n is post
        n's featured image, and the images go round again after that; one post in
        three also has an image inside its text (a different one).
        """
        for i in range(self.n_posts):
            featured = i % self.n_images if self.n_images and (i < self.n_images or i % 4) else None
            inline = (i * 7 + 3) % self.n_images if self.n_images and i % 3 == 0 else None
            yield i, featured, inline

    def write(self, out: TextIO, media: Path) -> None:
        self.header(out)
        image_rng = random.Random(self.rng.random())
        plan = list(self.plan())
        parents: dict[int, int] = {}
        for i, featured, _ in plan:
            if featured is not None:
                parents.setdefault(featured, self.post_id(i))
        for n in range(self.n_images):
            target = media / self.image_path(n)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(jpeg(image_rng))
            self.attachment(out, n, parents.get(n, 0))
            self.counts.images += 1
        # The comments go to published posts only; decide how many each gets once the
        # statuses are known, so that the total is exact.
        statuses: list[str] = []
        published: list[int] = []
        buffers: list[str] = []
        for i, featured, inline in plan:
            buffer = io.StringIO()
            status = self.post(buffer, i, featured, inline)
            statuses.append(status)
            if status == "publish":
                published.append(i)
            for used in (featured, inline):
                if used is not None and status != "private":  # the import skips those
                    self.counts.images_referenced.add(used)
            self.counts.featured += featured is not None
            self.counts.content_images += inline is not None
            buffers.append(buffer.getvalue())
        per_post = dict.fromkeys(published, 0)
        for _ in range(self.n_comments if published else 0):
            per_post[self.rng.choice(published)] += 1
        for i, text in enumerate(buffers):
            out.write(text)
            if per_post.get(i):
                date = START + datetime.timedelta(hours=7 * i)
                self.comments(out, per_post[i], date)
            out.write("\t</item>\n")
            buffers[i] = ""  # let the text go as it is written
        self.counts.published = statuses.count("publish")
        self.counts.drafts = statuses.count("draft")
        self.counts.private = statuses.count("private")
        out.write("</channel>\n</rss>\n")


def meta(key: str, value: str) -> str:
    return (
        f"<wp:postmeta><wp:meta_key>{cdata(key)}</wp:meta_key>"
        f"<wp:meta_value>{cdata(value)}</wp:meta_value></wp:postmeta>"
    )


MAPPING = (
    "# Written by bench/wxr_generator.py: most categories become sections.\n"
    'default_section = "News"\n'
    f'agencies = ["{AGENCY[0]}"]\n'
    'unknown_blocks = "keep"\n\n[sections]\n'
    + "".join(f'{slug} = "{slug.capitalize()}"\n' for slug in CATEGORIES[:6])
)


def generate(
    folder: str | Path,
    posts: int = 10_000,
    images: int | None = None,
    comments: int | None = None,
    seed: int = 23,
) -> Generated:
    """Write export.xml, uploads/ and mapping.toml into ``folder``.

    ``images`` defaults to one for every five posts (2,000 for 10,000) and ``comments``
    to three a post (30,000), so that a smaller run keeps the same proportions.
    """
    root = Path(folder)
    media = root / "uploads"
    media.mkdir(parents=True, exist_ok=True)
    images = posts // 5 if images is None else images
    comments = posts * 3 if comments is None else comments
    writer = Writer(posts, images, comments, seed)
    export = root / "export.xml"
    with export.open("w", encoding="utf-8") as out:
        writer.write(out, media)
    mapping = root / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return Generated(export, media, mapping, writer.counts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="where to write export.xml, uploads/ and mapping.toml")
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--images", type=int, help="default: posts / 5")
    parser.add_argument("--comments", type=int, help="default: posts x 3")
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args()
    made = generate(args.folder, args.posts, args.images, args.comments, args.seed)
    c = made.counts
    print(
        f"{made.export}: {c.posts} posts ({c.published} published, {c.drafts} drafts, "
        f"{c.private} private), {c.images} images ({len(c.images_referenced)} referenced), "
        f"{c.comments} comments ({c.replies} replies); media in {made.media}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
