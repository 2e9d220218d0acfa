"""Team libraries on PostgreSQL: roles and grants, copying, backups and reconnecting."""
