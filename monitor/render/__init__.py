"""Pure rendering: view records in, rendered strings out. No database, network or clock."""
