"""The pure domain: stdlib, attrs and data libraries only; no I/O, no clock reads, no random ids."""
