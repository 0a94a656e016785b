"""Task services: every write of the module goes through a function here (DESIGN.md)."""
