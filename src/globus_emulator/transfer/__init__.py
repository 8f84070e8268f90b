"""Globus Transfer v0.10: collections, file operations, submissions and tasks.

``routes.py`` lists every route and the exception handlers that render Transfer's errors.
"""
