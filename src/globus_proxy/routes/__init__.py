"""One router per resource, all under /v3/globus-proxy/."""

PREFIX = "/v3/globus-proxy"
