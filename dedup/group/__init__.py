"""Grouping: passages, boilerplate, links between documents and page-jump stitching into stories."""
