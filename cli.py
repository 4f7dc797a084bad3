"""``python cli.py FILE[:FUNC] ...``: the srcdiff command line (see srcdiff/cli/)."""
import sys

from srcdiff.cli import main

if __name__ == "__main__":
    sys.exit(main())
