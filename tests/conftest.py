"""The suite's fixtures come from a plugin, so that no test imports a conftest module."""

pytest_plugins = ("tests.support.fixtures",)
