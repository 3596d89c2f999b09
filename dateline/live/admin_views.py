"""The live blog's posting screen: a short form above the stream, not a page edit.

Posts are rows of their own (LivePost), so editors posting at once never overwrite
one another. Whoever may edit the live blog page may post, edit, delete, pin and
mark key events.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from dateline.live.forms import SOURCE_FIELDS, LivePostForm
from dateline.live.models import LiveBlogPage, LivePost
from dateline.wire.admin_views import can_see_desk
from dateline.wire.models import WireItem
from dateline.wire.stories import source_for

POSTING_URL = "live_posting"
EDIT_URL = "live_edit_post"
FROM_WIRE_URL = "live_from_wire"


def editable_blog(request: HttpRequest, page_id: int) -> LiveBlogPage:
    blog = get_object_or_404(LiveBlogPage, pk=page_id)
    if not blog.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return blog


class PostingView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "live/admin/posting.html"
    header_icon = "comment"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.blog = editable_blog(request, kwargs["page_id"])
        self.post_obj = self.get_post(kwargs)
        self.wire_item = self.get_wire_item(request)
        return super().dispatch(request, *args, **kwargs)

    def get_wire_item(self, request: HttpRequest) -> WireItem | None:
        """The wire report a new post is written from (?wire=<id>, from the desk)."""
        item_id = request.GET.get("wire", "")
        if self.post_obj is not None or not item_id.isdigit() or not can_see_desk(request):
            return None
        item = WireItem.objects.select_related("provider").filter(pk=item_id).first()
        if item is None or item.status != WireItem.Status.USABLE:
            messages.error(request, "That report has been withdrawn or withheld.")
            return None
        if item.is_embargoed:
            # A post is public as soon as it is saved: nothing embargoed goes in.
            messages.error(
                request,
                f"That report is embargoed until {item.embargoed_until:%d %b %Y, %H:%M}.",
            )
            return None
        return item

    def get_post(self, kwargs: dict[str, Any]) -> LivePost | None:
        return None

    def get_page_title(self) -> str:
        return f"Live: {self.blog.title}"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.blog.pk]),
                "label": self.blog.title,
            },
            {"url": "", "label": "Live posts"},
        ]

    def make_form(self, data: Any = None) -> LivePostForm:
        initial = {}
        if self.wire_item is not None:
            # Its attribution filled in, as Write story does for an article's sources.
            source = source_for(self.wire_item)
            initial = {name: getattr(source, name) for name in SOURCE_FIELDS}
        return LivePostForm(data, instance=self.post_obj, user=self.request.user, initial=initial)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or self.make_form()
        context.update(
            blog=self.blog,
            form=form,
            media=form.media,
            editing=self.post_obj,
            wire_item=self.wire_item,
            posts=self.blog.stream(),
            action_url=self.request.path,
            posting_url=reverse(POSTING_URL, args=[self.blog.pk]),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.make_form(request.POST)
        if not form.is_valid():
            messages.error(request, "The post could not be saved: see the errors below.")
            return self.render_to_response(self.get_context_data(form=form))
        new = form.instance.pk is None
        if new:
            form.instance.blog = self.blog
            # The admin lets only signed-in staff this far (require_admin_access).
            assert request.user.is_authenticated
            form.instance.created_by = request.user
        form.save()
        messages.success(request, "Posted." if new else "Post updated.")
        return HttpResponseRedirect(reverse(POSTING_URL, args=[self.blog.pk]))


class EditPostView(PostingView):
    def get_post(self, kwargs: dict[str, Any]) -> LivePost | None:
        return get_object_or_404(LivePost, pk=kwargs["post_id"], blog=self.blog)


def _post_action(request: HttpRequest, page_id: int, post_id: int) -> tuple[LiveBlogPage, LivePost]:
    blog = editable_blog(request, page_id)
    return blog, get_object_or_404(LivePost, pk=post_id, blog=blog)


def _back(blog: LiveBlogPage) -> HttpResponse:
    return HttpResponseRedirect(reverse(POSTING_URL, args=[blog.pk]))


class DeletePostView(WagtailAdminTemplateMixin, TemplateView):
    """Deleting a post: a GET asks (the post shown, two choices), only the POST deletes.

    A post cannot be brought back, and the stream's buttons sit close together: the
    Delete there is a link to this page, never a form that deletes at once.
    """

    template_name = "live/admin/confirm_delete.html"
    header_icon = "bin"
    http_method_names = ["get", "post", "head", "options"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.blog, self.post_obj = _post_action(request, kwargs["page_id"], kwargs["post_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return f"Delete the post of {self.post_obj.posted_at:%H:%M}?"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse(POSTING_URL, args=[self.blog.pk]), "label": self.blog.title},
            {"url": "", "label": "Delete a post"},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            blog=self.blog,
            post=self.post_obj,
            posting_url=reverse(POSTING_URL, args=[self.blog.pk]),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.post_obj.delete()
        messages.success(request, "Post deleted.")
        return _back(self.blog)


@require_POST
def toggle_pin(request: HttpRequest, page_id: int, post_id: int) -> HttpResponse:
    blog, post = _post_action(request, page_id, post_id)
    post.pinned = not post.pinned
    post.save(update_fields=["pinned", "updated_at"])
    messages.success(request, "Post pinned." if post.pinned else "Post unpinned.")
    return _back(blog)


@require_POST
def toggle_key_event(request: HttpRequest, page_id: int, post_id: int) -> HttpResponse:
    blog, post = _post_action(request, page_id, post_id)
    post.key_event = not post.key_event
    post.save(update_fields=["key_event", "updated_at"])
    messages.success(
        request, "Marked as a key event." if post.key_event else "No longer a key event."
    )
    return _back(blog)


def from_wire(request: HttpRequest) -> HttpResponse:
    """The wire desk's "Add to live blog": the live blog's form, the report's source in it."""
    blog_id, item_id = request.GET.get("blog", ""), request.GET.get("item", "")
    if not (blog_id.isdigit() and item_id.isdigit()):
        messages.error(request, "Choose a live blog to add the report to.")
        return HttpResponseRedirect(reverse("wire_desk:index"))
    blog = editable_blog(request, int(blog_id))
    return HttpResponseRedirect(f"{reverse(POSTING_URL, args=[blog.pk])}?wire={int(item_id)}")
