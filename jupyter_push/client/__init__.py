"""The kernel-side client: push() and its publisher thread, Python subscriptions, discovery of
the server, plain HTTP calls, controls. Never imported by the server process."""
