"""Local fake vendor servers (Mailchimp, Brevo) and shared fixtures for the export/results tests."""
