"""Registers the proxy fixture plugin (tests/proxy/fixtures.py) for the tests below.

pytest allows `pytest_plugins` only in the rootdir's conftest, so the plugin's fixtures are
imported here by name instead; test modules import helpers from tests/proxy/support.py.
"""

from tests.proxy.fixtures import *  # noqa: F403
