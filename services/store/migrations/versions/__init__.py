"""Schema revisions, one file each, applied in order by `newswire db upgrade`."""
