"""``python -m srcdiff.cli FILE[:FUNC] ...``: the command line (see ``srcdiff.cli``)."""
import sys

from . import main

sys.exit(main())
