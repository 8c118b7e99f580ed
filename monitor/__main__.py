"""`python -m monitor` runs the `veille` command."""

from monitor.program import main

main()
