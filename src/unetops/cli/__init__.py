"""The `unetops` command line: a thin layer over the library."""
