"""The public site (公布): an approved version of the list with its guides and certificates, as static
pages and open data that any web server, or none, can serve."""
