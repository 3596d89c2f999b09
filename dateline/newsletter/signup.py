"""The subscriber lifecycle: sign up, confirm, change preferences, unsubscribe.

Views and commands call these functions; they never send mail themselves but
enqueue tasks (tasks.py) inside the same transaction, so with the database task
queue a signup and its mail are stored together or not at all. Every answer to
a signup is the same whatever the address's state, so the form cannot be used
to learn who subscribes.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from email_validator import EmailNotValidError, ValidatedEmail, validate_email

from dateline.newsletter import subscriptions
from dateline.newsletter.models import (
    BlockedDomain,
    Cadence,
    ConfirmationMail,
    ConsentRecord,
    ConsentText,
    Newsletter,
    Subscriber,
    Suppression,
)

logger = logging.getLogger(__name__)


class InvalidAddress(ValueError):
    pass


def _validated(raw: str) -> ValidatedEmail:
    raw = (raw or "").strip()
    if not raw:
        raise InvalidAddress("Enter your email address.")
    if len(raw) > 254 or "\x00" in raw:
        raise InvalidAddress("That email address is too long or malformed.")
    try:
        return validate_email(raw, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidAddress(f"That does not look like an email address: {error}") from None


def normalise_address(raw: str) -> str:
    """The address as we store it, or InvalidAddress with a message for the reader.

    Syntax only: no DNS lookup during a request.
    """
    local, _, domain = _validated(raw).normalized.rpartition("@")
    return f"{local}@{domain.lower()}"


NEEDS_SMTPUTF8 = (
    "We cannot send mail to an address with letters such as ë or ß before the @ yet. "
    "Please use another address, one written with plain letters and digits."
)


def subscriber_address(raw: str) -> str:
    """A newsletter address as we store and compare it, or InvalidAddress.

    Lower-cased whole, so that Reader@Example.org and reader@example.org are one
    reader (every mailbox provider of note ignores the case; RFC 5321 allows it).
    The domain in its ASCII form (IDNA), and no address whose local part needs
    SMTPUTF8 (RFC 6531): our mail code writes plain RFC 5322 headers, so such a
    reader would be welcomed and then never reached (docs/newsletter.md).
    """
    checked = _validated(raw)
    if checked.ascii_email is None:
        raise InvalidAddress(NEEDS_SMTPUTF8)
    return checked.ascii_email.lower()


def domain_is_blocked(email: str) -> bool:
    domain = email.rpartition("@")[2]
    parts = domain.split(".")
    candidates = {".".join(parts[i:]) for i in range(len(parts) - 1)}
    return not candidates.isdisjoint(BlockedDomain.all_domains())


def mails_today(email: str) -> int:
    """Mails our forms sent to the address in the last 24 hours, for the daily cap.

    Only those since its owner last proved they read it, by confirming or by
    unsubscribing from a link we mailed: the cap is there to stop strangers
    flooding an address, not to keep its owner from coming back the same day.
    """
    since = timezone.now() - datetime.timedelta(hours=24)
    proofs = [
        ConsentRecord.objects.filter(email=email, confirmed_at__isnull=False)
        .order_by("-confirmed_at")
        .values_list("confirmed_at", flat=True)
        .first(),
        Subscriber.objects.filter(email=email, unsubscribed_at__isnull=False)
        .values_list("unsubscribed_at", flat=True)
        .first(),
    ]
    since = max([since, *(proof for proof in proofs if proof is not None)])
    return ConfirmationMail.objects.filter(email=email, created_at__gt=since).count()


@dataclass
class SignupRequest:
    email: str
    cadence: str = Cadence.WEEKLY
    section_ids: list[int] = field(default_factory=list)
    # The newsletters chosen (Newsletter ids); empty means the digest.
    newsletter_ids: list[int] = field(default_factory=list)
    ip: str | None = None
    user_agent: str = ""
    source: str = "newsletter page"


def sign_up(request: SignupRequest) -> None:
    """Record a signup and queue the one mail it calls for, if any.

    ``request.email`` must already be normalised. Returns nothing on purpose:
    the caller must answer every address the same way.
    """
    from dateline.newsletter import tasks

    email = request.email
    if domain_is_blocked(email):
        logger.info("Signup refused for a blocked domain")
        return
    consent_text = ConsentText.current()
    if _first_request_today(email):
        try:
            with transaction.atomic():
                _store_request(
                    request,
                    Subscriber.objects.create(email=email, cadence=request.cadence),
                    consent_text,
                )
            return
        except IntegrityError:
            # Another request for the same address got there first: the careful path
            # below sees its subscriber and its mail.
            pass
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if mails_today(email) >= settings.NEWSLETTER_MAILS_PER_ADDRESS_PER_DAY:
            # Resubmitting never floods anyone: past the limit we stay quiet.
            return
        suppressed = Suppression.objects.filter(email=email).exists()
        if (
            subscriber is not None
            and subscriber.is_active
            and not suppressed
            and _on_all_of(subscriber, request.newsletter_ids)
        ):
            ConfirmationMail.objects.create(email=email, kind="already-subscribed")
            tasks.send_already_subscribed.enqueue(subscriber.pk)
            return
        if subscriber is None:
            subscriber = Subscriber.objects.create(email=email, cadence=request.cadence)
        elif subscriber.status == Subscriber.Status.UNSUBSCRIBED or suppressed:
            subscriber.status = Subscriber.Status.PENDING
            subscriber.save(update_fields=["status"])
        # Earlier requests stay outstanding: every link a reader was sent works until
        # it expires, and the one they follow decides the choices (confirm()). A
        # subscriber asking for another newsletter confirms it the same way.
        _store_request(request, subscriber, consent_text)


def _on_all_of(subscriber: Subscriber, newsletter_ids: list[int]) -> bool:
    wanted = set(newsletter_ids) or {Newsletter.digest().pk}
    return wanted <= subscriptions.open_newsletter_ids(subscriber)


def _first_request_today(email: str) -> bool:
    """True for the common case, an address we have never heard of today: no
    subscriber, no pending request, no mail in the last 24 hours. One query, before
    any write lock, so that such a signup holds the lock for its inserts alone.

    Safe against a concurrent request for the same address: whichever inserts its
    Subscriber second fails on the unique address and takes the careful path.
    """
    since = timezone.now() - datetime.timedelta(hours=24)
    quote = connection.ops.quote_name
    tables = [
        quote(model._meta.db_table) for model in (Subscriber, ConsentRecord, ConfirmationMail)
    ]
    # Written out rather than an ORM union: compiling that cost more than the signup's
    # four inserts together. The names are our tables' own, never input.
    sql = (
        f"SELECT 1 WHERE EXISTS (SELECT 1 FROM {tables[0]} WHERE email = %s) "  # noqa: S608
        f"OR EXISTS (SELECT 1 FROM {tables[1]} WHERE email = %s AND status = %s) "
        f"OR EXISTS (SELECT 1 FROM {tables[2]} WHERE email = %s AND created_at >= %s)"
    )
    params = [
        email,
        email,
        ConsentRecord.Status.PENDING.value,
        email,
        connection.ops.adapt_datetimefield_value(since),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is None


def _store_request(request: SignupRequest, subscriber: Subscriber, text: ConsentText) -> None:
    """The consent record of a new request and its confirmation mail, queued."""
    from dateline.newsletter import tasks

    consent = ConsentRecord.objects.create(
        subscriber=subscriber,
        email=request.email,
        signup_ip=request.ip,
        user_agent=request.user_agent[:500],
        source=request.source[:500],
        consent_text=text,
        cadence=request.cadence,
        section_ids=sorted(set(request.section_ids)),
        newsletter_ids=sorted(set(request.newsletter_ids)),
    )
    ConfirmationMail.objects.create(email=request.email, kind="confirm")
    tasks.send_confirmation.enqueue(consent.pk)


class TokenProblem(Exception):
    """A confirmation link that cannot be used; ``reason`` is shown to the reader."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def consent_for_token(token: str) -> ConsentRecord:
    from dateline.newsletter.tokens import hash_token

    if not token or len(token) > 100:
        raise TokenProblem("garbled")
    consent = (
        ConsentRecord.objects.select_related("subscriber")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if consent is None:
        # A used or spent link keeps its hash; an unknown one is garbled, or its
        # request was withdrawn (an unsubscribe, a newer change of address).
        raise TokenProblem("unknown")
    if consent.status in (ConsentRecord.Status.CONFIRMED, ConsentRecord.Status.SUPERSEDED):
        # Superseded with its hash kept: another of the reader's links was confirmed.
        raise TokenProblem("used")
    if consent.status == ConsentRecord.Status.EXPIRED:
        raise TokenProblem("expired")
    if consent.status != ConsentRecord.Status.PENDING:
        raise TokenProblem("unknown")
    if consent.token_expires_at is None or consent.token_expires_at < timezone.now():
        raise TokenProblem("expired")
    return consent


def confirm(token: str, ip: str | None) -> Subscriber:
    """Confirm the request behind ``token``: the subscriber becomes active, on every
    newsletter the request asked for (one confirmation for all of them)."""
    from dateline.newsletter import tasks

    with transaction.atomic():
        consent = consent_for_token(token)
        consent = ConsentRecord.objects.select_for_update().get(pk=consent.pk)
        if consent.status != ConsentRecord.Status.PENDING:
            raise TokenProblem("used")
        now = timezone.now()
        subscriber = consent.subscriber
        if subscriber is None:
            raise TokenProblem("expired")
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if consent.purpose == ConsentRecord.Purpose.CHANGE_ADDRESS:
            holder = (
                Subscriber.objects.select_for_update()
                .filter(email=consent.email)
                .exclude(pk=subscriber.pk)
                .first()
            )
            if holder is not None and holder.is_active:
                raise TokenProblem("taken")
            if holder is not None:
                # An unsubscribed or unconfirmed entry for the address the reader has
                # just proved they own: it gives way (its consent records stay, by email).
                ConsentRecord.objects.filter(
                    subscriber=holder, status=ConsentRecord.Status.PENDING
                ).update(status=ConsentRecord.Status.SUPERSEDED, token_hash="")
                holder.delete()
            subscriber.email = consent.email
            subscriber.token_key = _new_key()  # links sent to the old address stop working
        else:
            newsletters = subscriptions.asked_for(consent)
            # Cadence and sections are the digest's: a reader on it who asks for
            # another newsletter keeps them.
            if not subscriber.is_active or any(
                n.kind == Newsletter.Kind.DIGEST for n in newsletters
            ):
                subscriber.cadence = consent.cadence
                subscriber.sections.set(consent.section_ids)
            subscriptions.join(
                subscriber,
                newsletters,
                # An import without prior consent is confirmed by its reader like a signup.
                source="import" if consent.source.startswith("import:") else "signup",
                consent_text=consent.consent_text,
                consent=consent,
            )
        was_active = subscriber.is_active
        subscriber.status = Subscriber.Status.ACTIVE
        subscriber.confirmed_at = subscriber.confirmed_at or now
        subscriber.unsubscribed_at = None
        subscriber.save()
        consent.status = ConsentRecord.Status.CONFIRMED
        consent.confirmed_at = now
        consent.confirmed_ip = ip
        consent.save(update_fields=["status", "confirmed_at", "confirmed_ip"])
        # The reader's other outstanding links for the same purpose are spent: they
        # keep their hash, so following one says it was used rather than unknown.
        ConsentRecord.objects.filter(
            subscriber=subscriber, purpose=consent.purpose, status=ConsentRecord.Status.PENDING
        ).update(status=ConsentRecord.Status.SUPERSEDED)
        # A new confirmation is the only way back from the suppression list.
        Suppression.objects.filter(email=subscriber.email).delete()
        if settings.NEWSLETTER_WELCOME_MAIL and not was_active:
            tasks.send_welcome.enqueue(subscriber.pk)
    return subscriber


def _new_key() -> str:
    from dateline.newsletter.models import new_key

    return new_key()


def leave(
    subscriber: Subscriber, newsletter: Newsletter, how: str, issue: int | None = None
) -> bool:
    """Take the reader off one newsletter; off the last one, unsubscribe them
    altogether (True). A repeated request changes nothing."""
    with transaction.atomic():
        subscriptions.close(subscriber, [newsletter], how=how, issue=issue)
        if subscriptions.open_newsletter_ids(subscriber):
            return False
        unsubscribe(subscriber, how, issue=issue)
        return True


def unsubscribe(subscriber: Subscriber, how: str, issue: int | None = None) -> None:
    """Stop every newsletter to this address at once, and remember never to mail it."""
    now = timezone.now()
    with transaction.atomic():
        subscriptions.close(subscriber, None, how=how, issue=issue)
        # A repeated request (mail providers retry one-click POSTs) keeps the first time.
        Subscriber.objects.filter(pk=subscriber.pk).update(
            status=Subscriber.Status.UNSUBSCRIBED,
            unsubscribed_at=Coalesce(F("unsubscribed_at"), Value(now)),
        )
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        ConsentRecord.objects.filter(
            subscriber=subscriber, status=ConsentRecord.Status.CONFIRMED, withdrawn_at=None
        ).update(status=ConsentRecord.Status.WITHDRAWN, withdrawn_at=now, withdrawn_how=how)
        ConsentRecord.objects.filter(
            subscriber=subscriber, status=ConsentRecord.Status.PENDING
        ).update(status=ConsentRecord.Status.SUPERSEDED, token_hash="")
        suppress(subscriber.email, Suppression.Reason.UNSUBSCRIBED, note=how)


def suppress(email: str, reason: str, note: str = "") -> None:
    """Put the address on the suppression list, or change the reason it is there.

    An unsubscribe is the weakest reason (an erasure deletes it), so it never
    replaces a bounce, complaint or staff's entry that has to outlive the subscriber.
    """
    defaults = {"reason": reason, "note": note[:500]}
    if reason == Suppression.Reason.UNSUBSCRIBED:
        Suppression.objects.get_or_create(email=email, defaults=defaults)
    else:
        Suppression.objects.update_or_create(email=email, defaults=defaults)


def request_address_change(
    subscriber: Subscriber, new_email: str, ip: str | None, user_agent: str
) -> None:
    """Send a confirmation to the new address; the change happens when it is confirmed."""
    from dateline.newsletter import tasks

    if domain_is_blocked(new_email) or new_email == subscriber.email:
        return
    with transaction.atomic():
        if mails_today(new_email) >= settings.NEWSLETTER_MAILS_PER_ADDRESS_PER_DAY:
            return
        # One outstanding request per address, and one move per subscriber: the newest wins.
        ConsentRecord.objects.filter(
            Q(email=new_email)
            | Q(subscriber=subscriber, purpose=ConsentRecord.Purpose.CHANGE_ADDRESS),
            status=ConsentRecord.Status.PENDING,
        ).update(status=ConsentRecord.Status.SUPERSEDED, token_hash="")
        consent = ConsentRecord.objects.create(
            subscriber=subscriber,
            email=new_email,
            purpose=ConsentRecord.Purpose.CHANGE_ADDRESS,
            signup_ip=ip,
            user_agent=user_agent[:500],
            source="preference centre: change of address",
            consent_text=ConsentText.current(),
            cadence=subscriber.cadence,
            section_ids=list(subscriber.sections.values_list("pk", flat=True)),
        )
        ConfirmationMail.objects.create(email=new_email, kind="confirm-address")
        tasks.send_confirmation.enqueue(consent.pk)


def expire_unconfirmed() -> int:
    """Delete subscribers who never confirmed; their consent records stay, marked expired.

    Expired records keep their token hash, so an old link says it expired rather
    than that we do not know it.
    """
    cutoff = timezone.now() - datetime.timedelta(days=settings.NEWSLETTER_PENDING_DAYS)
    # The pending period runs from the newest request: a reader who asked again
    # yesterday holds a live link, however long ago they first asked.
    # (isnull: a NULL in a NOT IN subquery would make it match nothing.)
    asked_lately = ConsentRecord.objects.filter(
        subscriber__isnull=False, signup_at__gte=cutoff
    ).values("subscriber")
    with transaction.atomic():
        stale = Subscriber.objects.filter(
            status=Subscriber.Status.PENDING, confirmed_at=None, created_at__lt=cutoff
        ).exclude(pk__in=asked_lately)
        ConsentRecord.objects.filter(
            subscriber__in=stale,
            status__in=[ConsentRecord.Status.PENDING, ConsentRecord.Status.SUPERSEDED],
        ).update(status=ConsentRecord.Status.EXPIRED)
        count = stale.count()
        stale.delete()
        ConsentRecord.objects.filter(
            status=ConsentRecord.Status.PENDING, token_expires_at__lt=cutoff
        ).update(status=ConsentRecord.Status.EXPIRED)
    return count
