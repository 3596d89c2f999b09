import pytest

from dateline.lib.emailurl import OUTBOX_BACKEND, EmailURLError, parse_email_url

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize("url", ["", "   ", "outbox:", "outbox://"])
def test_unset_or_outbox_means_the_development_outbox(url):
    config = parse_email_url(url)
    assert config.backend == OUTBOX_BACKEND == "dateline.outbox.backend.OutboxBackend"
    assert config.settings == {}


@pytest.mark.parametrize("url", ["console:", "console://"])
def test_console_prints_mail(url):
    config = parse_email_url(url)
    assert config.backend == "django.core.mail.backends.console.EmailBackend"
    assert config.settings == {}


def test_plain_smtp_to_a_local_relay():
    config = parse_email_url("smtp://127.0.0.1:2525")
    assert config.backend == SMTP_BACKEND
    assert config.settings == {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10.0,
    }


def test_plain_smtp_defaults_to_port_25():
    assert parse_email_url("smtp://relay.example.org").settings["EMAIL_PORT"] == 25


def test_smtp_with_starttls_and_credentials():
    config = parse_email_url("smtp+tls://newsroom:hunter2@mail.example.org:587")
    assert config.backend == SMTP_BACKEND
    assert config.settings["EMAIL_HOST"] == "mail.example.org"
    assert config.settings["EMAIL_PORT"] == 587
    assert config.settings["EMAIL_HOST_USER"] == "newsroom"
    assert config.settings["EMAIL_HOST_PASSWORD"] == "hunter2"
    assert config.settings["EMAIL_USE_TLS"] is True
    assert config.settings["EMAIL_USE_SSL"] is False


def test_url_quoted_user_and_password_are_unquoted():
    # A password with @, / and : must be percent-encoded to survive in a URL.
    config = parse_email_url("smtp+tls://desk%40example.org:p%40ss%2Fw%3Ard@mail.example.org")
    assert config.settings["EMAIL_HOST_USER"] == "desk@example.org"
    assert config.settings["EMAIL_HOST_PASSWORD"] == "p@ss/w:rd"
    assert config.settings["EMAIL_PORT"] == 587


def test_smtps_uses_implicit_tls_on_465():
    config = parse_email_url("smtps://newsroom:secret@mail.example.org")
    assert config.backend == SMTP_BACKEND
    assert config.settings["EMAIL_PORT"] == 465
    assert config.settings["EMAIL_USE_SSL"] is True
    assert config.settings["EMAIL_USE_TLS"] is False


def test_scheme_is_case_insensitive_and_timeout_is_read():
    config = parse_email_url("SMTPS://mail.example.org?timeout=2.5")
    assert config.settings["EMAIL_USE_SSL"] is True
    assert config.settings["EMAIL_TIMEOUT"] == 2.5


@pytest.mark.parametrize("url", ["imap://mail.example.org", "ses://key@example.org"])
def test_unsupported_scheme_is_refused_with_the_accepted_forms(url):
    with pytest.raises(EmailURLError) as raised:
        parse_email_url(url)
    message = str(raised.value)
    assert url.split(":", 1)[0] in message
    assert "not supported" in message
    for form in ("outbox:", "console:", "smtp://", "smtp+tls://", "smtps://"):
        assert form in message


@pytest.mark.parametrize("url", ["smtp://", "smtp://:25", "smtps://user:pass@:465"])
def test_missing_host_is_refused(url):
    with pytest.raises(EmailURLError, match="names no host"):
        parse_email_url(url)


@pytest.mark.parametrize("url", ["smtp://mail.example.org:smtp", "smtp://mail.example.org:99999"])
def test_bad_port_is_refused(url):
    with pytest.raises(EmailURLError, match="port"):
        parse_email_url(url)


def test_email_url_error_is_a_value_error():
    assert issubclass(EmailURLError, ValueError)


def test_a_bad_timeout_is_named_in_the_error():
    with pytest.raises(EmailURLError, match="timeout"):
        parse_email_url("smtp://relay.example:25?timeout=abc")


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("OUTBOX:", OUTBOX_BACKEND),
        ("Outbox://", OUTBOX_BACKEND),
        ("CONSOLE:", "django.core.mail.backends.console.EmailBackend"),
    ],
)
def test_the_simple_schemes_ignore_case(url, backend):
    assert parse_email_url(url).backend == backend


def test_an_esp_api_through_anymail():
    config = parse_email_url("postmark://server-token@")
    assert config.backend == "anymail.backends.postmark.EmailBackend"
    assert config.anymail == {"POSTMARK_SERVER_TOKEN": "server-token"}
    assert config.esp == "postmark"


def test_esp_options_and_a_key_with_a_secret():
    config = parse_email_url("mailgun://key-1%2F2@?sender_domain=mg.example.org")
    assert config.anymail == {
        "MAILGUN_API_KEY": "key-1/2",
        "MAILGUN_SENDER_DOMAIN": "mg.example.org",
    }
    config = parse_email_url("mailjet://public:private@")
    assert config.anymail == {"MAILJET_API_KEY": "public", "MAILJET_SECRET_KEY": "private"}
    assert parse_email_url("amazon-ses://").backend == "anymail.backends.amazon_ses.EmailBackend"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postmark://", "needs the API key"),
        ("mailjet://public@", "KEY:SECRET"),
        ("mailgun://key@api.mailgun.net", "takes no host"),
    ],
)
def test_esp_without_its_key_is_refused(url, message):
    with pytest.raises(EmailURLError, match=message):
        parse_email_url(url)
