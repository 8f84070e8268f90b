"""Login sessions: what a login proved (who logged in, when, with MFA or not), and what a
collection, or an authorize URL, requires of it.

Tokens carry the session of the login they came from (refreshes keep it); Transfer answers a
session requirement error until the session satisfies the collection; the login page offers
only the identities that satisfy what its authorize URL asks for. An identity's domain is the
part of its username after the `@`, as Globus Auth has it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# What Globus sends when a collection's session requirement is not met.
SESSION_MESSAGE = "Session reauthentication required (Globus Transfer)"
# An authorize URL's booleans: globus-sdk sends True, globus-sdk-javascript true.
WORDS = {"true": True, "1": True, "false": False, "0": False, "": False}


def domain_of(username: str) -> str:
    return username.rpartition("@")[2].lower()


@dataclass(frozen=True)
class Authentication:
    identity_id: str
    username: str
    at: float  # epoch seconds
    mfa: bool


@dataclass(frozen=True)
class Session:
    """The authentications of one login (the emulator logs one identity in per login)."""

    authentications: tuple[Authentication, ...] = ()


NO_SESSION = Session()  # tokens of no login (client credentials)


class SessionPolicyError(ValueError):
    """A session requirement that cannot be read; the text says which."""


def _names(value: Any, what: str) -> tuple[str, ...]:
    """A list of strings, or Globus's comma-separated string of them."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise SessionPolicyError(f"{what} must be a list of strings")


@dataclass(frozen=True)
class SessionPolicy:
    """What a session must hold: one authentication that meets every requirement given."""

    single_domain: tuple[str, ...] = ()
    identities: tuple[str, ...] = ()
    mfa: bool = False

    @classmethod
    def read(cls, doc: Mapping[str, Any]) -> SessionPolicy:
        """From a seed collection, or an authorize request's `session_required_*` parameters."""
        mfa = doc.get("session_required_mfa", False)
        if isinstance(mfa, str):
            mfa = WORDS.get(mfa.strip().lower(), mfa)
        if not isinstance(mfa, bool):
            raise SessionPolicyError("session_required_mfa must be true or false")
        domain, identities = "session_required_single_domain", "session_required_identities"
        return cls(
            single_domain=tuple(d.lower() for d in _names(doc.get(domain), domain)),
            identities=_names(doc.get(identities), identities),
            mfa=mfa,
        )

    def __bool__(self) -> bool:
        return bool(self.single_domain or self.identities or self.mfa)

    def admits(self, identity_id: str, username: str) -> bool:
        """Whether this identity can satisfy the policy (with MFA, if it asks for MFA)."""
        if self.single_domain and domain_of(username) not in self.single_domain:
            return False
        return not self.identities or identity_id in self.identities

    def satisfied_by(self, session: Session) -> bool:
        return not self or any(
            self.admits(a.identity_id, a.username) and (a.mfa or not self.mfa)
            for a in session.authentications
        )

    def parameters(self) -> dict[str, Any]:
        """As Transfer's `authorization_parameters` put it (and the authorize URL takes it)."""
        return {
            "session_message": SESSION_MESSAGE,
            "session_required_identities": list(self.identities),
            "session_required_mfa": self.mfa,
            "session_required_single_domain": list(self.single_domain),
        }

    def describe(self) -> list[str]:
        """The requirements in words, for the login page."""
        said = []
        if self.single_domain:
            said.append(f"an identity from {' or '.join(self.single_domain)}")
        if self.identities:
            said.append(f"identity {' or '.join(self.identities)}")
        if self.mfa:
            said.append("multi-factor authentication")
        return said

    def form_fields(self) -> dict[str, str]:
        """The policy as the login page's hidden fields carry it to the decision."""
        fields = {}
        if self.single_domain:
            fields["session_required_single_domain"] = ",".join(self.single_domain)
        if self.identities:
            fields["session_required_identities"] = ",".join(self.identities)
        if self.mfa:
            fields["session_required_mfa"] = "true"
        return fields


NO_POLICY = SessionPolicy()
