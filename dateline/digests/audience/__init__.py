"""Audience: the newsroom's numbers in the admin (views), and each issue's (panel)."""
