"""Output edges: site files on disk, SMTP, webhooks. Rendering lives in monitor.render."""
