"""Pure builders: the store's records (monitor.records) and a window or days in, view records
(monitor.render.records) out. No database, network or clock: rankings, trends and watch matches are decided here."""
