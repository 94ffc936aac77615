"""The Qt user interface: the main window, the protocol tabs and their widgets."""

from apiclient.ui.pyside_feature_scan import skip_feature_source_scan

skip_feature_source_scan()
