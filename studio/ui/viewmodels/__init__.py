"""Table and list models the views bind to (Qt model/view over the workspace)."""
