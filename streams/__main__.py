import sys

from claimwire.streams.cli import main

# Guarded: the extract stage's page processes (multiprocessing) import the main module.
if __name__ == "__main__":
    sys.exit(main())
