"""``python -m dockerlab.doctor``: the same as ``dockerlab doctor``."""
import sys

from .cli import main

sys.exit(main())
