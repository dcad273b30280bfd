"""What was said and what was kept: correspondence with regulators and authorities, and evidence
files with their custody log (issue 16 items 3 and 4)."""
