import sys

from apiclient.cli import main

sys.exit(main())
