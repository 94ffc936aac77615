"""`python -m mock_servers`: run every mock server until Ctrl+C."""

import sys

from mock_servers.cli import main

sys.exit(main())
