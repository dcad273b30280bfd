"""Legal exports: PDF report, XLSX/CSV chronology, JSON full export, ICS feeds, filing drafts.

Every export goes through ``incidents.permissions.incident_for(..., action=Action.EXPORT)`` and is
written to the ``ExportLog``. Heavy libraries (WeasyPrint, openpyxl, python-docx) are imported
only inside the function that needs them, so the site runs where their system libraries are
missing. Documented in docs/exports.md.
"""
