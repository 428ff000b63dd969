"""``python -m netgrad.cli``: the ``netgrad`` command."""
import sys

from netgrad.cli.parser import main

sys.exit(main())
