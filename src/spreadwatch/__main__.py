import sys

from spreadwatch.cli import main

sys.exit(main())
