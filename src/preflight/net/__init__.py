"""Network plumbing shared by every client: TLS trust and the host map."""
