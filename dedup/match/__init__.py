"""Matching: MinHash fingerprints of character shingles, LSH banding and exact verification of candidate pairs."""
