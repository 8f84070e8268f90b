"""The Tapis GlobusProxy API (v3) on globus-sdk 4."""
