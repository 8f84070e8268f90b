"""`make bench`: measures the proxy beside globus-sdk used directly, against the emulator."""
