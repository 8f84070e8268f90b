"""Globus Auth: the OAuth2/OpenID API as globus-sdk calls it, and the pages a person sees.

``routes.py`` lists every route and the exception handlers that render Auth's errors.
"""
