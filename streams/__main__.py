import sys

from claimwire.streams.cli import main

sys.exit(main())
