"""The server core: the hub, its brokers, admission (connection and rate limits), metrics,
heartbeats, share sessions and the state the handlers share. Nothing here is a request
handler, and nothing here imports the kernel-side client."""
