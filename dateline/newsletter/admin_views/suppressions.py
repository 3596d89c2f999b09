"""The suppression list in the admin: addresses we never mail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import DateColumn
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet

from dateline.newsletter import signup
from dateline.newsletter.models import Subscriber, Suppression


class SuppressionForm(WagtailAdminModelForm):
    class Meta:
        model = Suppression
        fields = ["email", "reason", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].initial = Suppression.Reason.MANUAL

    def clean_email(self) -> str:
        try:
            email = signup.subscriber_address(self.cleaned_data["email"])
        except signup.InvalidAddress as error:
            raise forms.ValidationError(str(error)) from None
        if Suppression.objects.filter(email=email).exists():
            raise forms.ValidationError("This address is already on the suppression list.")
        return email


class SuppressionEditForm(WagtailAdminModelForm):
    class Meta:
        model = Suppression
        fields = ["reason", "note"]


class SuppressionCreateView(CreateView):
    def save_instance(self) -> Suppression:
        email = self.form.instance.email
        with transaction.atomic():
            subscriber = Subscriber.objects.filter(email=email).first()
            if subscriber is not None and subscriber.status != Subscriber.Status.UNSUBSCRIBED:
                # A suppressed address must not stay subscribed. unsubscribe() files
                # it under its own reason; the one staff chose replaces that.
                signup.unsubscribe(subscriber, how="staff")
                Suppression.objects.filter(email=email).delete()
            instance: Suppression = super().save_instance()
        return instance


class SuppressionViewSet(ModelViewSet):
    model = Suppression
    name = "newsletter_suppressions"
    url_prefix = "newsletter/suppressions"
    icon = "no-view"
    menu_label = "Suppression list"
    add_view_class = SuppressionCreateView
    copy_view_enabled = False
    add_to_reference_index = False
    list_filter = ["reason"]
    search_fields = ["email", "note"]
    list_per_page = 50
    ordering = "-created_at"
    list_display = [
        "email",
        "reason",
        "note",
        DateColumn("created_at", label="Since", sort_key="created_at"),
    ]

    def get_index_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_index_view_kwargs(page_title="Suppression list", **kwargs)

    def get_form_class(self, for_update: bool = False) -> type[WagtailAdminModelForm]:
        # The address is what a suppression is; to change it, remove it and add another.
        return SuppressionEditForm if for_update else SuppressionForm
