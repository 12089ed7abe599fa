"""Email rendering: jinja2 layouts (responsive HTML + plain text), sanitising, the mandatory footer."""
