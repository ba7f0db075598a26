"""`python -m unetops` runs the command line."""

from unetops.cli.app import main

if __name__ == "__main__":  # not again in worker processes that import the main module (spawn)
    main()
