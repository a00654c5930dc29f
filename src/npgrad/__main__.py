"""``python -m npgrad ...``: the same as the ``npgrad`` command."""
import sys

from npgrad.cli import main

if __name__ == "__main__":
    sys.exit(main())
