"""A wire-compatible local Globus Auth + Transfer emulator.

The unmodified globus-sdk talks to it through ``GLOBUS_SDK_SERVICE_URL_AUTH`` and
``GLOBUS_SDK_SERVICE_URL_TRANSFER``, both pointed at the emulator's root URL.
"""

from globus_emulator.world import Client, Collection, Identity, World, default_world, load_world

__all__ = ["Client", "Collection", "Identity", "World", "default_world", "load_world"]
