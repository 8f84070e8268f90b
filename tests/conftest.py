"""The suite's fixtures come from plugins, so that no test imports a conftest module."""

pytest_plugins = ("tests.support.fixtures", "tests.proxy.fixtures", "tests.replicas.fixtures")
