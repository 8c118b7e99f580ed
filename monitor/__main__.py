"""`python -m monitor` runs the `veille` command."""

from monitor.cli import main

main()
