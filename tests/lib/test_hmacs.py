"""The fast salted HMAC gives exactly Django's salted_hmac, and follows the secret key."""

from django.utils.crypto import salted_hmac

from dateline.lib.hmacs import salted_sha256


def test_same_digest_as_django(settings):
    for salt, value in [("a.salt", "42"), ("", ""), ("dateline.x", "pub:ké€y")]:
        expected = salted_hmac(salt, value, algorithm="sha256").hexdigest()
        assert salted_sha256(salt, value) == expected
        other = salted_hmac(salt, value, secret="other", algorithm="sha256").hexdigest()
        assert salted_sha256(salt, value, secret="other") == other


def test_a_new_secret_key_changes_the_digest(settings):
    before = salted_sha256("a.salt", "42")
    settings.SECRET_KEY = "rotated-" + settings.SECRET_KEY
    after = salted_sha256("a.salt", "42")
    assert after != before
    assert after == salted_hmac("a.salt", "42", algorithm="sha256").hexdigest()
