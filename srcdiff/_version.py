"""srcdiff's version, in one place (the package, exported modules and the command line read it)."""
VERSION = "0.1.0"
