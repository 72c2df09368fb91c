"""Reports on the programme: pure computation over the register and the programme's records."""
