"""Wrappers around the Linux tools the agents drive, plus the shared agent daemon."""
