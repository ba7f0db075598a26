"""`python -m unetops` runs the command line."""

from unetops.cli.app import main

main()
