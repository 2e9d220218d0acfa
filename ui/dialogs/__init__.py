"""Dialogs opened from the main window: import, report, settings, shortcuts, merge and batch edit."""
