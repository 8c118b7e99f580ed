"""The offline demo: a small fictional web on loopback addresses and the job run against it."""
