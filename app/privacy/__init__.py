"""Data protection: erasing a visitor, exporting what is held about them, the audit log of
both, and the per-site retention period (docs/privacy.md)."""
