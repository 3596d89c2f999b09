"""Several newsletters: the digest and Breaking news, and every subscriber on the digest.

Readers who had confirmed are on the digest with the words they agreed to (their
newest confirmed request's consent text) and their cadence and sections as they were;
readers who had unsubscribed get a closed subscription, for the record. Unconfirmed
readers get theirs when they confirm (a request with no newsletters means the digest).
One INSERT … SELECT: a million readers take seconds.
"""

from typing import Any

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


DIGEST = {
    "kind": "digest",
    "name": "The digest",
    "slug": "digest",
    "description": "The week's most important stories, once or twice a week.",
    "cadence": "Once or twice a week, as you choose",
    "preselected": True,
    "position": 0,
}
ALERTS = {
    "kind": "alerts",
    "name": "Breaking news",
    "slug": "breaking-news",
    "description": "A short mail when a story of great importance breaks.",
    "cadence": "Rarely: only for the biggest news",
    "preselected": False,
    "position": 1,
}


def migrate_subscribers(apps: Any, schema_editor: Any) -> None:
    Newsletter = apps.get_model("newsletter", "Newsletter")
    Subscriber = apps.get_model("newsletter", "Subscriber")
    Subscription = apps.get_model("newsletter", "Subscription")
    ConsentRecord = apps.get_model("newsletter", "ConsentRecord")
    ConsentText = apps.get_model("newsletter", "ConsentText")
    digest, _ = Newsletter.objects.get_or_create(kind="digest", defaults=DIGEST)
    Newsletter.objects.get_or_create(kind="alerts", defaults=ALERTS)
    if not Subscriber.objects.exists():
        return
    newest_text = ConsentText.objects.order_by("-version").first()
    if newest_text is None:
        return  # readers without any consent text cannot have confirmed
    now = django.utils.timezone.now()
    tables = {
        "subscription": Subscription._meta.db_table,
        "subscriber": Subscriber._meta.db_table,
        "consent": ConsentRecord._meta.db_table,
    }
    confirmed = (
        "SELECT {col} FROM {consent} c WHERE c.subscriber_id = s.id "
        "AND c.confirmed_at IS NOT NULL AND c.purpose = 'subscribe' "
        "ORDER BY c.confirmed_at DESC, c.id DESC LIMIT 1"
    )
    sql = f"""
        INSERT INTO {tables["subscription"]}
            (subscriber_id, newsletter_id, joined_at, source, consent_text_id, consent_id,
             left_at, left_how, left_issue_id)
        SELECT s.id, %(digest)s, COALESCE(s.confirmed_at, s.created_at), 'migration',
            COALESCE(({confirmed.format(col="c.consent_text_id", **tables)}), %(text)s),
            ({confirmed.format(col="c.id", **tables)}),
            CASE WHEN s.status = 'active' THEN NULL ELSE COALESCE(s.unsubscribed_at, %(now)s) END,
            CASE WHEN s.status = 'active' THEN '' ELSE 'unsubscribed before newsletters' END,
            NULL
        FROM {tables["subscriber"]} s
        WHERE s.status = 'active' OR (s.status = 'unsubscribed' AND s.confirmed_at IS NOT NULL)
    """  # noqa: S608 - table names from the models, values as parameters
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "digest": digest.pk,
                "text": newest_text.pk,
                "now": connection.ops.adapt_datetimefield_value(now),
            },
        )


class Migration(migrations.Migration):

    dependencies = [
        ('newsletter', '0004_one_subscriber_per_address'),
    ]

    operations = [
        migrations.CreateModel(
            name='NewsletterSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('alerts_per_day', models.PositiveSmallIntegerField(default=3, help_text="Breaking-news alerts the newsroom may send in a day (site's time zone)")),
                ('reader_engagement', models.BooleanField(default=False, help_text='Record which reader clicked which link. Off, clicks are counted for all readers together. Turn on only with a consent text that says so.')),
                ('open_tracking', models.BooleanField(default=False, help_text='Count opens with an image in the mail. Unreliable: many mail programs load images without the reader opening the mail, and others never load them.')),
            ],
            options={
                'verbose_name': 'Newsletter settings',
            },
        ),
        migrations.AddField(
            model_name='consentrecord',
            name='newsletter_ids',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.CreateModel(
            name='Newsletter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('slug', models.SlugField(unique=True)),
                ('kind', models.CharField(choices=[('digest', "Digest: chosen stories at the reader's cadence"), ('alerts', 'Alerts: one story, sent by an editor'), ('edited', 'Written by the newsroom')], default='edited', max_length=20)),
                ('description', models.TextField(blank=True, help_text='One or two lines readers see')),
                ('sender_name', models.CharField(blank=True, help_text="The From name; the publication's name if empty", max_length=100)),
                ('cadence', models.CharField(blank=True, help_text='What readers can expect, e.g. "Every Friday"', max_length=100)),
                ('choosable', models.BooleanField(default=True, help_text='Listed in the signup box and the preference centre')),
                ('preselected', models.BooleanField(default=False)),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['position', 'pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('kind', 'edited'), _negated=True), fields=('kind',), name='one_digest_one_alert_list')],
            },
        ),
        migrations.CreateModel(
            name='Subscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('joined_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('source', models.CharField(max_length=100)),
                ('left_at', models.DateTimeField(blank=True, null=True)),
                ('left_how', models.CharField(blank=True, max_length=100)),
                ('left_issue_id', models.BigIntegerField(blank=True, null=True)),
                ('consent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='newsletter.consentrecord')),
                ('consent_text', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='newsletter.consenttext')),
                ('newsletter', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='subscriptions', to='newsletter.newsletter')),
                ('subscriber', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='subscriptions', to='newsletter.subscriber')),
            ],
            options={
                'ordering': ['newsletter', '-joined_at'],
                'indexes': [models.Index(fields=['newsletter', 'subscriber'], name='subscription_lookup')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('left_at', None)), fields=('subscriber', 'newsletter'), name='one_open_subscription')],
            },
        ),
        migrations.RunPython(migrate_subscribers, migrations.RunPython.noop, elidable=False),
    ]
