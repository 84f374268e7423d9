"""`python -m fronts.cli`: the same as the `fronts` command."""

import sys

from fronts.cli import main

sys.exit(main())
