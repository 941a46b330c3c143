// Keeps the sealtrail_testing library non-empty.
