"""Helpers shared by tests of several parts: a real SMTP server, requests through the WSGI
entry point. A part's own helpers live beside its tests (tests/<part>/helpers.py,
fixtures in its conftest.py); no test module imports from another."""
