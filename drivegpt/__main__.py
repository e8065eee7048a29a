"""python -m drivegpt: the drivegpt command (see drivegpt/cli.py)."""
import sys
from drivegpt.cli import main

sys.exit(main())
